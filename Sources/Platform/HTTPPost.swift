// One blocking HTTP(S) POST (for webhooks), through the libcurl that CLinux's HTTPPost.c loads on first use: a
// daemon that never posts never loads libcurl or its TLS libraries. The answer or the failure, in Swift terms.
import CLinux
import Glibc
import Synchronization

package enum HTTPPost {
    /// What the server answered.
    package struct Answer: Sendable, Equatable {
        package var status: Int
        package var retryAfter: String?
        package var location: String?
        /// The first 200 bytes of the body.
        package var bodyStart: [UInt8]
    }

    /// Why no answer came.
    package enum Failure: Error, Sendable, Equatable {
        /// libcurl is not installed (or not usable): what the loader said.
        case unavailable(String)
        case timedOut
        case connectionRefused
        case hostNotFound
        /// The connection broke before the whole answer came.
        case connectionLost(String)
        case cancelled
        /// A URL libcurl will not use (scheme, syntax).
        case badURL(String)
        /// Any other libcurl failure: its code and words.
        case other(code: Int32, text: String)
    }

    /// Lets a POST in flight be ended from another thread.
    package final class Cancellation: Sendable {
        private let flag = Atomic<Bool>(false)

        package init() {}

        package func cancel() { flag.store(true, ordering: .releasing) }

        package var isCancelled: Bool { flag.load(ordering: .acquiring) }
    }

    /// POSTs `body` to `url` with `headers`, blocking the calling thread for at most `timeout` seconds (and less
    /// once `cancellation` is cancelled). Never follows a redirect; only http and https.
    package static func send(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Double,
                             cancellation: Cancellation) -> Result<Answer, Failure> {
        // "Expect:" keeps libcurl from asking for 100-continue before a larger body (a second's wait on servers
        // that do not answer it).
        let lines = headers.map { "\($0.name): \($0.value)" } + ["Expect:"]
        var answer = clinux_http_answer()
        let code: Int32 = withCStrings(lines) { pointers in
            body.withUnsafeBytes { bytes in
                withExtendedLifetime(cancellation) {
                    clinux_http_post(url, pointers, Int32(pointers.count), bytes.baseAddress, bytes.count,
                                     Int(max(1, timeout * 1000)), { context in
                                         guard let context else { return 0 }
                                         return Unmanaged<Cancellation>.fromOpaque(context).takeUnretainedValue()
                                             .isCancelled ? 1 : 0
                                     }, Unmanaged.passUnretained(cancellation).toOpaque(), &answer)
                }
            }
        }
        let error = text(&answer.error)
        switch code {
        case 0:
            let retryAfter = text(&answer.retry_after)
            let location = text(&answer.location)
            let bodyStart = withUnsafeBytes(of: &answer.body) { Array($0.prefix(answer.body_length)) }
            return .success(Answer(status: answer.status, retryAfter: retryAfter.isEmpty ? nil : retryAfter,
                                   location: location.isEmpty ? nil : location, bodyStart: bodyStart))
        case -1: return .failure(.unavailable(error))
        case 28: return .failure(.timedOut)                           // CURLE_OPERATION_TIMEDOUT
        case 7: return .failure(.connectionRefused)                   // CURLE_COULDNT_CONNECT
        case 6: return .failure(.hostNotFound)                        // CURLE_COULDNT_RESOLVE_HOST
        case 42: return .failure(.cancelled)                          // CURLE_ABORTED_BY_CALLBACK
        case 1, 3: return .failure(.badURL(error))                    // CURLE_UNSUPPORTED_PROTOCOL, _URL_MALFORMAT
        case 18, 52, 55, 56: return .failure(.connectionLost(error))  // PARTIAL_FILE, GOT_NOTHING, SEND_, RECV_ERROR
        default: return .failure(.other(code: code, text: error))
        }
    }

    /// A fixed-size C char array, read up to its NUL.
    private static func text<T>(_ field: inout T) -> String {
        withUnsafeBytes(of: &field) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Calls `body` with NUL-terminated copies of `strings`, valid only during the call.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}

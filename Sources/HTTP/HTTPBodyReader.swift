// Reads and discards a request body (this API takes none): a fixed length, or chunked coding decoded just
// enough to find its end. Pure: bytes in, bytes consumed and whether the body is done, or invalid.

struct HTTPBodyReader {
    enum Result: Equatable {
        case needMore(consumed: Int)
        case done(consumed: Int)
        case invalid(status: Int, reason: String)
    }

    private enum State: Equatable {
        case length(remaining: Int)
        case chunkSize(line: [UInt8])
        case chunkData(remaining: Int)
        case chunkDataEnd(seenCR: Bool)
        case trailer(line: [UInt8])
        case finished
    }

    private var state: State
    private var total = 0
    private let limit: Int

    init(body: HTTPRequestHead.Body, limit: Int) {
        self.limit = limit
        switch body {
        case .none: state = .finished
        case .length(let length): state = .length(remaining: length)
        case .chunked: state = .chunkSize(line: [])
        }
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Result {
        var index = 0
        while index < bytes.count || state == .finished {
            switch state {
            case .finished:
                return .done(consumed: index)
            case .length(let remaining):
                let take = min(remaining, bytes.count - index)
                index += take
                state = remaining - take == 0 ? .finished : .length(remaining: remaining - take)
            case .chunkSize(var line):
                let byte = bytes[index]
                index += 1
                if byte == 10 {
                    if line.last == 13 { line.removeLast() }
                    let sizeText = line.prefix { $0 != 59 }  // ";" starts chunk extensions
                    // Hex digits only: Int(_:radix:) alone would take "-5" or "+5".
                    guard !sizeText.isEmpty, sizeText.count <= 8, sizeText.allSatisfy(Self.isHexDigit),
                          let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16) else {
                        return .invalid(status: 400, reason: "invalid chunk size")
                    }
                    total += size
                    guard total <= limit else { return .invalid(status: 413, reason: "request body too large") }
                    state = size == 0 ? .trailer(line: []) : .chunkData(remaining: size)
                } else {
                    line.append(byte)
                    guard line.count <= 1024 else { return .invalid(status: 400, reason: "chunk size line too long") }
                    state = .chunkSize(line: line)
                }
            case .chunkData(let remaining):
                let take = min(remaining, bytes.count - index)
                index += take
                state = remaining - take == 0 ? .chunkDataEnd(seenCR: false) : .chunkData(remaining: remaining - take)
            case .chunkDataEnd(let seenCR):
                let byte = bytes[index]
                index += 1
                if byte == 13, !seenCR { state = .chunkDataEnd(seenCR: true) }
                else if byte == 10 { state = .chunkSize(line: []) }
                else { return .invalid(status: 400, reason: "chunk data not followed by CRLF") }
            case .trailer(var line):
                let byte = bytes[index]
                index += 1
                if byte == 10 {
                    if line.last == 13 { line.removeLast() }
                    state = line.isEmpty ? .finished : .trailer(line: [])
                } else {
                    line.append(byte)
                    guard line.count <= 8192 else { return .invalid(status: 431, reason: "trailer too large") }
                    state = .trailer(line: line)
                }
            }
        }
        return .needMore(consumed: index)
    }
}

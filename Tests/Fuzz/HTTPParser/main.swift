// libFuzzer target for the HTTP request parser and body reader, built by scripts/fuzz-http-parser with
// `swiftc -sanitize=fuzzer,address` from the parser's own source files. It feeds each input to the parser the
// way the event loop does (head, then body, then the next pipelined head) and checks the parser's promises:
// it never reads outside the input (ASan), consumes at least one byte and no more than it was given, parses the
// consumed bytes alone to the same result, and gives that result too when the head arrives in pieces (the
// incremental parser resuming where it stopped, cut at points taken from the input's own bytes).

/// Small limits so the fuzzer reaches the 414/431 paths with short inputs.
let limits = HTTPParserLimits(maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    var offset = 0
    for _ in 0..<64 {
        let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
        guard case .complete(let head, let consumed) = HTTPParser.parse(rest, limits: limits) else { return 0 }
        precondition(consumed > 0 && consumed <= rest.count, "consumed \(consumed) of \(rest.count)")
        let again = HTTPParser.parse(UnsafeRawBufferPointer(rebasing: rest[0..<consumed]), limits: limits)
        guard case .complete(_, let consumedAgain) = again, consumedAgain == consumed else {
            preconditionFailure("the consumed bytes alone did not parse to the same head")
        }
        precondition(inPieces(UnsafeRawBufferPointer(rebasing: rest[0..<consumed])) == consumed,
                     "the head in pieces did not parse to the same head")
        offset += consumed
        var body = HTTPBodyReader(body: head.body, limit: 4096)
        switch body.consume(UnsafeRawBufferPointer(rebasing: input[offset...])) {
        case .done(let used):
            precondition(used >= 0 && used <= count - offset)
            offset += used
        case .needMore(let used):
            precondition(used == count - offset)
            return 0
        case .invalid:
            return 0
        }
        if offset >= count { return 0 }
    }
    return 0
}

/// Feeds `head` to one incremental parser in growing prefixes, the cut points chosen by the head's own bytes;
/// returns what the complete head consumed (-1 if it was not complete, or became complete or invalid too early).
func inPieces(_ head: UnsafeRawBufferPointer) -> Int {
    var parser = HTTPHeadParser(limits: limits)
    var end = 0
    while end < head.count {
        end = min(head.count, end + 1 + Int(head[end] % 7))
        switch parser.parse(UnsafeRawBufferPointer(rebasing: head[0..<end])) {
        case .incomplete:
            continue
        case .complete(_, let consumed):
            return end == head.count || consumed <= end ? consumed : -1
        case .invalid:
            return -1
        }
    }
    return -1
}

// An array kept in chunks of 2,048 elements, so that a copy shares the chunks and a change copies only the chunk
// it touches. The status board is one: /status serialises a snapshot of it for some 20 ms at 10,000 hosts while
// the pings of those milliseconds change a few hundred consecutive hosts — copying the whole board for them
// (1.6 MB) would cost more than the pings. A chunk of the board is 320 KB, above the size glibc maps on its own
// (MallocTuning): a chunk a copy replaced goes back to the system rather than staying in a thread's heap.
// Inlinable, so that clients in other modules (the API's /status bodies) get it specialised for their element type.
package struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    @usableFromInline static var chunkShift: Int { 11 }
    @usableFromInline static var chunkMask: Int { (1 << chunkShift) - 1 }

    @usableFromInline var chunks: [[Element]] = []
    @usableFromInline var storedCount = 0

    @inlinable package init() {}

    @inlinable package init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    /// The elements as the arrays they are kept in, in order: for going through them all at array speed.
    @inlinable package var chunkArrays: [[Element]] { chunks }

    @inlinable package var count: Int { storedCount }
    @inlinable package var startIndex: Int { 0 }
    @inlinable package var endIndex: Int { storedCount }

    @inlinable package subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < storedCount, "index out of range")
            return chunks[position >> Self.chunkShift][position & Self.chunkMask]
        }
        set {
            precondition(position >= 0 && position < storedCount, "index out of range")
            chunks[position >> Self.chunkShift][position & Self.chunkMask] = newValue
        }
    }

    /// Changes the element at `position` in place (only its chunk is copied, if a copy shares it).
    @inlinable package mutating func modify<Result>(_ position: Int, _ body: (inout Element) -> Result) -> Result {
        precondition(position >= 0 && position < storedCount, "index out of range")
        return body(&chunks[position >> Self.chunkShift][position & Self.chunkMask])
    }

    @inlinable package mutating func append(_ element: Element) {
        if storedCount & Self.chunkMask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkMask + 1)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        storedCount += 1
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}

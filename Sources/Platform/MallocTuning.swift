// The calls into glibc's allocator settings. The daemon builds large short-lived buffers (a /status body is
// about 3 MB at 10,000 hosts, serialised on whichever thread asks); glibc's dynamic mmap threshold would, after
// the first such buffer is freed, serve the next ones from the threads' heap arenas and keep that memory. A
// fixed threshold keeps buffers above it in their own mappings, returned to the system when freed. And glibc
// gives threads arenas of their own (up to 8 per core): what one thread frees stays in its arena, of no use to
// the others, and Dispatch runs the ping queue and the store's on whichever worker thread is free.
import CLinux
import Glibc

package enum MallocTuning {
    /// Buffers of `bytes` and more are mapped on their own and unmapped when freed. False if glibc refused.
    @discardableResult
    package static func mapBuffersLargerThan(_ bytes: Int32) -> Bool {
        mallopt(M_MMAP_THRESHOLD, bytes) == 1
    }

    /// Every thread allocates from at most `count` arenas (small blocks still come from each thread's own cache).
    /// Call before threads start. False if glibc refused.
    @discardableResult
    package static func limitArenas(to count: Int32) -> Bool {
        mallopt(M_ARENA_MAX, count) == 1
    }
}

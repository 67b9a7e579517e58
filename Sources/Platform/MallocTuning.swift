// The one call into glibc's allocator settings. The daemon builds large short-lived buffers (a /status body is
// about 2 MB at 10,000 hosts, serialised on whichever thread asks); glibc's dynamic mmap threshold would, after
// the first such buffer is freed, serve the next ones from the threads' heap arenas and keep that memory. A
// fixed threshold keeps buffers above it in their own mappings, returned to the system when freed.
import CLinux
import Glibc

package enum MallocTuning {
    /// Buffers of `bytes` and more are mapped on their own and unmapped when freed. False if glibc refused.
    @discardableResult
    package static func mapBuffersLargerThan(_ bytes: Int32) -> Bool {
        mallopt(M_MMAP_THRESHOLD, bytes) == 1
    }
}

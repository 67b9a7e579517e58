// Watches the host file for changes with inotify, on the directory that holds it: a write in place (the file
// closed after writing), a new file renamed over it (how most editors and `mv` save), a new file created there,
// and a Kubernetes ConfigMap's `..data` link swapped. When the path is a symbolic link, the directory of the file
// it points to is watched too. Each burst of changes asks the reloader for one reload.
import Dispatch
import Foundation
import Logging
import Platform

final class HostFileWatcher {
    private let inotify: Inotify
    private let source: DispatchSourceRead

    /// Starts watching `path`; throws when inotify cannot watch its directory (then only SIGHUP reloads).
    init(path: String, reloader: HostFileReloader, logger: Logger) throws {
        let inotify = try Inotify()
        var names: Set<String> = []
        var directories: Set<String> = []
        for file in Set([path, URL(fileURLWithPath: path).resolvingSymlinksInPath().path]) {
            let url = URL(fileURLWithPath: file)
            names.insert(url.lastPathComponent)
            directories.insert(url.deletingLastPathComponent().path)
        }
        for directory in directories.sorted() { try inotify.watch(directory: directory) }
        self.inotify = inotify
        let queue = DispatchQueue(label: "status.reload.watch")
        source = DispatchSource.makeReadSource(fileDescriptor: inotify.fd.rawValue, queue: queue)
        source.setEventHandler { [names] in
            let events: [Inotify.Event]
            do { events = try inotify.read() } catch {
                logger.warning("config_watch_failed", ["reason": "\(error)"])
                return
            }
            if events.contains(where: \.watchEnded) {
                logger.warning("config_watch_ended", ["file": path, "reason": "its directory went away; SIGHUP still reloads"])
            }
            if events.contains(where: { names.contains($0.name) || $0.name.hasPrefix("..") }) { reloader.request(.file) }
        }
        source.resume()
    }

    func cancel() { source.cancel() }
}

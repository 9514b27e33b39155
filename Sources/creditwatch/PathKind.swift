import Foundation

/// What a path given on the command line names, so that a command can say "no such
/// folder" or "is a folder, not a file" before it starts long work.
enum PathKind {
    case missing, folder, file

    init(_ path: String) {
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            self = .missing
        } else {
            self = isFolder.boolValue ? .folder : .file
        }
    }
}

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

extension PathKind {
    /// Why `path` cannot be a file a command reads or, `creating`, writes once its work is
    /// done, or nil: a folder is never one, and a missing file to be created needs a folder
    /// to be written in (a missing file to be read is its reader's to name). Checked before
    /// long work, so a mistyped path fails at once.
    static func problem(file path: String, creating: Bool) -> String? {
        switch PathKind(path) {
        case .folder: return "is a folder, not a file"
        case .file: return nil
        case .missing:
            guard creating else { return nil }
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            return PathKind(parent) == .folder ? nil : "no folder \(parent) to write it in"
        }
    }
}

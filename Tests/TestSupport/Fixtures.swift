import Foundation

/// Paths of files committed beside the tests.
public enum Fixtures {
    /// The folder `Tests/TARGET/Fixtures/NAME`, found from the calling test file.
    public static func path(_ name: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Fixtures")
            .appendingPathComponent(name).path
    }
}

import Foundation

/// The inputs `bench/fuzz` found (or kept as hard cases) for one target, in `Tests/Fuzz/regressions/TARGET/`,
/// for the ordinary suite to replay through the same entry function the fuzzer calls.
public enum FuzzRegressions {
    /// Each saved input of `target` (its file name and bytes), sorted by name.
    public static func inputs(for target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = TestEnvironment.repositoryRoot.appending(path: "Tests/Fuzz/regressions/\(target)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { name in (name, Array(try Data(contentsOf: folder.appending(path: name)))) }
    }
}

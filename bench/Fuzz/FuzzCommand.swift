import Foundation

#if FUZZING
import FuzzDriver
#endif

/// `drsocial-fuzz`: libFuzzer over one parser, or a replay of saved inputs.
///
/// Built by `bench/fuzz` with `-sanitize=fuzzer,address -DFUZZING`, it hands its command line to libFuzzer
/// and fuzzes the target named by `FUZZ_TARGET` (libFuzzer owns the arguments). In an ordinary build it
/// replays files instead:
///
/// ```sh
/// drsocial-fuzz mime Tests/Fuzz/regressions/mime/*
/// ```
@main
enum FuzzCommand {
    static func main() {
        #if FUZZING
        guard selectedTarget != nil else {
            FileHandle.standardError.write(Data("set FUZZ_TARGET to one of: \(targetNames)\n".utf8))
            exit(2)
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
        #else
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: drsocial-fuzz TARGET FILE... (targets: \(targetNames))\n".utf8))
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            target.run(Array(data))
            print("ok \(path)")
        }
        #endif
    }

    /// Every target's name, for usage messages.
    static var targetNames: String { FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ") }
}

#if FUZZING
/// libFuzzer's callback for one input. Exported under its conventional name too: the runtime's object
/// files refer to that symbol even when the driver is started through `LLVMFuzzerRunDriver`.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget?.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#endif

/// The target `FUZZ_TARGET` names (read once: libFuzzer's callback cannot capture).
let selectedTarget = ProcessInfo.processInfo.environment["FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))

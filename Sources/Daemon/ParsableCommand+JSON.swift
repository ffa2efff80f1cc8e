import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Prints `value` as indented JSON with sorted keys: what the local-file commands' `--json` prints.
    func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

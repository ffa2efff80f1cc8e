/// Samples read back from Prometheus's text format, keyed `name{label="value",…}` with labels sorted,
/// so a test can look a series up whatever order the exporter wrote its labels in.
public struct PrometheusSamples: Sendable {
    public let values: [String: Double]
    /// Metric families with their `# TYPE`.
    public let types: [String: String]

    public init(parsing text: String) throws {
        var values: [String: Double] = [:]
        var types: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw Malformed(line: String(line)) }
                guard types.updateValue(String(parts[3]), forKey: String(parts[2])) == nil else {
                    throw Malformed(line: "family written twice: \(line)")
                }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "),
                let value = Double(line[line.index(after: space)...])
                    ?? (line[line.index(after: space)...] == "+Inf" ? .infinity : nil)
            else { throw Malformed(line: String(line)) }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                values[String(series)] = value
                continue
            }
            guard series.hasSuffix("}") else { throw Malformed(line: String(line)) }
            let labels = try Self.labels(series[series.index(after: brace)..<series.index(before: series.endIndex)], line: String(line))
            values[Self.key(String(series[..<brace]), labels)] = value
        }
        self.values = values
        self.types = types
    }

    /// The value of one series; nil when the exporter did not write it.
    public subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        values[Self.key(name, labels)]
    }

    static func key(_ name: String, _ labels: [String: String]) -> String {
        labels.isEmpty ? name : name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// `a="x",b="y \"q\""`, unescaping `\\`, `\"` and `\n`.
    static func labels(_ text: Substring, line: String) throws -> [String: String] {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "="), text.index(after: equals) < text.endIndex,
                text[text.index(after: equals)] == "\""
            else { throw Malformed(line: line) }
            let name = String(text[index..<equals])
            var value = ""
            var cursor = text.index(equals, offsetBy: 2)
            var closed = false
            while cursor < text.endIndex {
                let character = text[cursor]
                if character == "\\" {
                    cursor = text.index(after: cursor)
                    guard cursor < text.endIndex else { throw Malformed(line: line) }
                    value.append(text[cursor] == "n" ? "\n" : text[cursor])
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    value.append(character)
                }
                cursor = text.index(after: cursor)
            }
            guard closed else { throw Malformed(line: line) }
            labels[name] = value
            index = text.index(after: cursor)
            if index < text.endIndex, text[index] == "," { index = text.index(after: index) }
        }
        return labels
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let line: String
        public var description: String { "not Prometheus text format: \(line)" }
    }
}

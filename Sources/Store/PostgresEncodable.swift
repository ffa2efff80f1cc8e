public import Foundation

/// A Swift value bound to a statement parameter (`$1`), sent in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
}

extension String: PostgresEncodable {
    public var postgresText: String { self }
}
extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}
extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}
extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}
extension Double: PostgresEncodable {
    public var postgresText: String { String(self) }
}
extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "true" : "false" }
}
extension UUID: PostgresEncodable {
    public var postgresText: String { uuidString.lowercased() }
}
extension Date: PostgresEncodable {
    public var postgresText: String { PostgresTimestamp.format(self) }
}
extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// An array literal (`{"a","b"}`), every element quoted and escaped.
    public var postgresText: String {
        let items = map { element -> String in
            let escaped = element.postgresText
                .replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return "{" + items.joined(separator: ",") + "}"
    }
}

/// JSON text bound to a `jsonb` parameter.
public struct PostgresJSON: PostgresEncodable {
    public let text: String
    public init(text: String) { self.text = text }
    /// Encodes any `Encodable` value as JSON.
    public init(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    public var postgresText: String { text }
}

/// Timestamps in the text form the server reads and writes (sessions run in UTC).
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        return date.formatted(style)
    }

    /// Parses `2026-11-23 00:49:20.123456+00` (and the variants without fractions or with `:30` offsets).
    static func parse(_ text: String) -> Date? {
        // Split date, time and offset by hand: it is faster and stricter than a formatter.
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let ymd = parts[0].split(separator: "-").compactMap { Int($0) }
        guard ymd.count == 3 else { return nil }
        var rest = Substring(parts[1])
        var offsetSeconds = 0
        if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let sign = rest[signIndex] == "-" ? -1 : 1
            let fields = rest[rest.index(after: signIndex)...].split(separator: ":").compactMap { Int($0) }
            offsetSeconds = sign * ((fields.first ?? 0) * 3600 + (fields.count > 1 ? fields[1] * 60 : 0))
            rest = rest[..<signIndex]
        }
        let hms = rest.split(separator: ":")
        guard hms.count == 3, let hour = Int(hms[0]), let minute = Int(hms[1]), let seconds = Double(hms[2]) else {
            return nil
        }
        var components = DateComponents()
        components.year = ymd[0]
        components.month = ymd[1]
        components.day = ymd[2]
        components.hour = hour
        components.minute = minute
        components.second = 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let base = calendar.date(from: components) else { return nil }
        return base.addingTimeInterval(seconds - Double(offsetSeconds))
    }
}

public import Foundation

/// A value read back from PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    init?(postgresText: String)
}

extension String: PostgresDecodable {
    public init?(postgresText: String) { self = postgresText }
}
extension Int: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}
extension Int64: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}
extension Double: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}
extension Bool: PostgresDecodable {
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}
extension UUID: PostgresDecodable {
    public init?(postgresText: String) { self.init(uuidString: postgresText) }
}
extension Date: PostgresDecodable {
    public init?(postgresText: String) {
        guard let date = PostgresTimestamp.parse(postgresText) else { return nil }
        self = date
    }
}
extension Array: PostgresDecodable where Element: PostgresDecodable {
    public init?(postgresText: String) {
        guard let items = PostgresArrayParser.parse(postgresText) else { return nil }
        var values: [Element] = []
        for item in items {
            guard let item, let value = Element(postgresText: item) else { return nil }
            values.append(value)
        }
        self = values
    }
}

/// One row of a result, copied out of libpq so it outlives the `PGresult`.
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    let values: [String?]

    /// The raw text of a column, or nil for SQL NULL.
    public subscript(_ column: String) -> String? {
        guard let index = columns.index[column] else { return nil }
        return values[index]
    }

    /// Decodes a non-null column.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.index[column] else {
            throw PostgresError.decodingFailed("no column named \(column)")
        }
        guard let text = values[index] else {
            throw PostgresError.decodingFailed("column \(column) is NULL")
        }
        guard let value = T(postgresText: text) else {
            throw PostgresError.decodingFailed("column \(column) is not a \(T.self)")
        }
        return value
    }

    /// Decodes a nullable column.
    public func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard let index = columns.index[column] else {
            throw PostgresError.decodingFailed("no column named \(column)")
        }
        guard let text = values[index] else { return nil }
        guard let value = T(postgresText: text) else {
            throw PostgresError.decodingFailed("column \(column) is not a \(T.self)")
        }
        return value
    }

    /// Decodes a `json`/`jsonb` column into a `Decodable` type.
    public func decodeJSON<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        let text: String = try decode(column)
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw PostgresError.decodingFailed("column \(column) does not decode as \(T.self): \(error)")
        }
    }
}

/// Column names shared by every row of one result.
final class PostgresColumns: Sendable {
    let names: [String]
    let index: [String: Int]
    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}

/// The rows and the affected-row count of one statement.
public struct PostgresResult: Sendable {
    public let rows: [PostgresRow]
    /// Rows inserted, updated or deleted (`PQcmdTuples`), 0 when not applicable.
    public let affectedRows: Int

    public var first: PostgresRow? { rows.first }
}

/// Parses one-dimensional array literals such as `{a,"b c",NULL}`.
enum PostgresArrayParser {
    static func parse(_ text: String) -> [String?]? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        var items: [String?] = []
        var index = 1
        let end = scalars.count - 1
        if index == end { return [] }
        while index <= end {
            var item = ""
            var quoted = false
            if scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < end, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < end { index += 1 }
                    item.unicodeScalars.append(scalars[index])
                    index += 1
                }
                index += 1  // closing quote
            } else {
                while index < end, scalars[index] != "," {
                    item.unicodeScalars.append(scalars[index])
                    index += 1
                }
            }
            items.append(!quoted && item == "NULL" ? nil : item)
            index += 1  // the comma or the closing brace
        }
        return items
    }
}

import Foundation

extension PostgresRow {
    /// The row as a `Decodable` value, one column a stored property: a coding key names its column in snake
    /// case (`tenantID` reads `tenant_id`, `accountIDs` reads `account_ids`, `analysisJSON` reads `analysis_json`). A column holds a value in
    /// PostgreSQL's text format (`PostgresDecodable`), a raw value (`AttachmentRole`), or JSON (a nested
    /// `Decodable`, such as a `jsonb` column's). NULL or a missing column is nil for an optional property and an
    /// error, naming the column, for any other.
    ///
    /// ```swift
    /// let talent = try row.decode(as: TalentSnapshot.self)
    /// ```
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        do {
            return try T(from: PostgresRowDecoder(row: self))
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError.decodingFailed("a row does not decode as \(T.self): \(error)")
        }
    }

    /// The column a coding key names: `tenantID` → `tenant_id`.
    static func column(for key: String) -> String {
        var column = ""
        let characters = Array(key)
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                // The last capital of an acronym starts the next word (`JSONValue`), unless an `s` ends the acronym's
                // plural (`accountIDs`).
                let pluralS = next == "s" && (index + 2 == characters.count || characters[index + 2].isUppercase)
                let startsWord = next?.isLowercase == true && !pluralS
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && startsWord) { column.append("_") }
            }
            column.append(Character(character.lowercased()))
        }
        return column
    }
}

extension PostgresRow {
    /// The names a coding key of `column` may have: the column itself, then its words joined in camel case with
    /// each word after the first capitalised (`Id`), in capitals (`ID`) or in capitals but a plural's `s` (`IDs`).
    static func keySpellings(of column: String) -> [String] {
        let words = column.split(separator: "_").map(String.init)
        guard let first = words.first else { return [column] }
        var spellings = [first]
        for word in words.dropFirst() {
            var forms = [word.prefix(1).uppercased() + word.dropFirst(), word.uppercased()]
            if word.count > 2, word.hasSuffix("s") { forms.append(word.dropLast().uppercased() + "s") }
            spellings = spellings.flatMap { prefix in forms.map { prefix + $0 } }
        }
        return [column] + spellings
    }
}

/// Reads one row as a keyed container of its columns.
private struct PostgresRowDecoder: Decoder {
    let row: PostgresRow
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw PostgresError.decodingFailed("a row decodes as a type with one property a column, not as a list")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw PostgresError.decodingFailed("a row decodes as a type with one property a column, not as one value")
    }
}

/// The columns of a row, by coding key.
private struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: PostgresRow
    var codingPath: [any CodingKey] { [] }
    /// The keys whose columns the row has: each column's name spelled back in camel case, every way its words
    /// may be capitalised (`tenant_id` as `tenantId`, `tenantID`; `account_ids` as `accountIDs`), and kept where
    /// the key reads that very column.
    var allKeys: [Key] {
        row.columns.names.compactMap { column in
            PostgresRow.keySpellings(of: column).lazy.compactMap { Key(stringValue: $0) }
                .first { PostgresRow.column(for: $0.stringValue) == column }
        }
    }

    func contains(_ key: Key) -> Bool { row.columns.index[PostgresRow.column(for: key.stringValue)] != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = row.columns.index[PostgresRow.column(for: key.stringValue)] else { return true }
        return row.values[index] == nil
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let column = PostgresRow.column(for: key.stringValue)
        if let decodable = T.self as? any PostgresDecodable.Type {
            return try row.decode(column, as: decodable) as! T
        }
        let text: String = try row.decode(column)
        do {
            return try T(from: ColumnText(text: text))
        } catch ColumnText.NotAValue.notAValue {
            do {
                return try JSONDecoder().decode(T.self, from: Data(text.utf8))
            } catch {
                throw PostgresError.decodingFailed("column \(column) does not decode as \(T.self): \(error)")
            }
        } catch {
            throw PostgresError.decodingFailed("column \(column) is not a \(T.self): \(error)")
        }
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, column: key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, column: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, column: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, column: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, column: key) }

    private func decode<T: PostgresDecodable>(_ type: T.Type, column key: Key) throws -> T {
        try row.decode(PostgresRow.column(for: key.stringValue), as: type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw PostgresError.decodingFailed("column \(PostgresRow.column(for: key.stringValue)) is one value, not a nested container")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw PostgresError.decodingFailed("column \(PostgresRow.column(for: key.stringValue)) is one value, not a nested list")
    }

    func superDecoder() throws -> any Decoder { throw PostgresError.decodingFailed("a row has no super decoder") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw PostgresError.decodingFailed("a row has no super decoder") }
}

/// One column's text as a single value: what a raw-value enum or a wrapper of one value decodes from. A type
/// that asks for a keyed or unkeyed container is JSON, and is decoded as such by the caller.
private struct ColumnText: Decoder, SingleValueDecodingContainer {
    enum NotAValue: Error { case notAValue }

    let text: String
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw NotAValue.notAValue }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw NotAValue.notAValue }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let decodable = T.self as? any PostgresDecodable.Type else { return try T(from: self) }
        guard let value = decodable.init(postgresText: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not a \(T.self)"))
        }
        return value as! T
    }
}

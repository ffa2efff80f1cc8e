import Foundation

extension JSONValue {
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The value with `transform` applied to every string in it (keys stay as they are).
    public func mapStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let text): .string(transform(text))
        case .array(let items): .array(items.map { $0.mapStrings(transform) })
        case .object(let members): .object(members.mapValues { $0.mapStrings(transform) })
        case .null, .bool, .number: self
        }
    }

    /// Converts what Yams or `JSONSerialization` produced; nil for anything that is not JSON.
    public init?(any value: Any?) {
        switch value {
        case nil, is NSNull: self = .null
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .number(Double(value))
        case let value as Double: self = .number(value)
        case let value as String: self = .string(value)
        case let value as [Any]:
            var items: [JSONValue] = []
            for item in value {
                guard let converted = JSONValue(any: item) else { return nil }
                items.append(converted)
            }
            self = .array(items)
        case let value as [String: Any]:
            var members: [String: JSONValue] = [:]
            for (key, member) in value {
                guard let converted = JSONValue(any: member) else { return nil }
                members[key] = converted
            }
            self = .object(members)
        default: return nil
        }
    }
}

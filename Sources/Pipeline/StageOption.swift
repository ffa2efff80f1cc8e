/// One option of a stage's `Configuration`: the name `pipelines/*.yaml` gives it and the property it sets.
///
/// ```swift
/// static let options: [StageOption<Self>] = [
///     .init("max_dimension", \.maxDimension),
///     .init("deadline_seconds", \.deadlineSeconds),
/// ]
/// ```
public struct StageOption<Configuration>: Sendable {
    /// The option's name, as the YAML spells it.
    public let name: String
    /// The property the option sets, to name the option in a validation error.
    let keyPath: any AnyKeyPath & Sendable
    /// Sets the property when the YAML gives the option; leaves its default otherwise.
    let decode: @Sendable (KeyedDecodingContainer<StageOptionKey>, inout Configuration) throws -> Void

    public init<Value: Decodable & Sendable>(_ name: String, _ keyPath: any WritableKeyPath<Configuration, Value> & Sendable) {
        self.name = name
        self.keyPath = keyPath
        self.decode = { container, configuration in
            if let value = try container.decodeIfPresent(Value.self, forKey: StageOptionKey(name)) {
                configuration[keyPath: keyPath] = value
            }
        }
    }
}

/// An option's YAML name as a coding key.
struct StageOptionKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { nil }
}

/// A stage's configuration decoded from its `options:` node, for `YAMLDecoder`.
struct DecodedStageOptions<Configuration: StageConfiguration>: Decodable {
    let configuration: Configuration

    init(from decoder: any Decoder) throws {
        configuration = try Configuration(decodingOptionsFrom: decoder)
    }
}

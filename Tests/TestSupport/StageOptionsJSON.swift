import Foundation
public import Pipeline

/// A stage's configuration decoded from JSON options, as the pipeline loader decodes its `options:` node.
public enum StageOptionsJSON {
    public static func decode<Configuration: StageConfiguration>(_ type: Configuration.Type, _ json: String) throws -> Configuration {
        try JSONDecoder().decode(Options<Configuration>.self, from: Data(json.utf8)).configuration
    }

    struct Options<Configuration: StageConfiguration>: Decodable {
        let configuration: Configuration
        init(from decoder: any Decoder) throws { configuration = try Configuration(decodingOptionsFrom: decoder) }
    }
}

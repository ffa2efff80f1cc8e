public import JSON
/// One call to a model, in neutral terms; the client writes it in the router shape it is configured for.
public struct ModelRequest: Sendable, Equatable {
    /// A turn of the conversation.
    public struct Message: Sendable, Equatable {
        public enum Role: String, Sendable { case user, assistant }
        public var role: Role
        public var content: [ContentBlock]

        public init(role: Role, content: [ContentBlock]) {
            self.role = role
            self.content = content
        }

        public static func user(_ text: String) -> Message { Message(role: .user, content: [.text(text)]) }
    }

    /// A tool the model may call; `inputSchema` is a JSON Schema object.
    public struct Tool: Sendable, Equatable {
        public var name: String
        public var description: String
        public var inputSchema: JSONValue

        public init(name: String, description: String, inputSchema: JSONValue) {
            self.name = name
            self.description = description
            self.inputSchema = inputSchema
        }
    }

    /// The model string, passed through untouched: a literal id or the router's `/regex/flags` form.
    public var model: String
    public var system: String
    public var messages: [Message]
    public var maxTokens: Int
    public var tools: [Tool]
    /// The tool the model must call, or nil to let it choose.
    public var forcedTool: String?

    public init(model: String, system: String, messages: [Message], maxTokens: Int = 4096, tools: [Tool] = [], forcedTool: String? = nil) {
        self.model = model
        self.system = system
        self.messages = messages
        self.maxTokens = maxTokens
        self.tools = tools
        self.forcedTool = forcedTool
    }
}

/// A piece of a message: text, a model's tool call, or the answer to one.
public enum ContentBlock: Sendable, Equatable {
    case text(String)
    case toolUse(id: String, name: String, input: JSONValue)
    case toolResult(toolUseID: String, content: String, isError: Bool)
}

extension FakeLLMRouter {
    /// An assistant message the fake answers with; each wire format renders it in its own shape.
    public struct Message: Sendable {
        /// One piece of the message's content.
        public enum Block: Sendable {
            case text(String)
            /// A tool call; `inputJSON` must be a JSON object (it is sent as Anthropic's `input` and as
            /// OpenAI's `function.arguments` string).
            case toolUse(id: String, name: String, inputJSON: String)
        }

        public var content: [Block]
        /// The model named in the answer. Default nil: the request's `model`, or `claude-sonnet-4-5-fake`.
        public var model: String?
        /// Anthropic's stop reason (`end_turn`, `tool_use`, `max_tokens`, `stop_sequence`); OpenAI's
        /// `finish_reason` is derived from it (`stop`, `tool_calls`, `length`).
        public var stopReason: String
        public var inputTokens: Int
        public var outputTokens: Int

        /// - Parameters:
        ///   - stopReason: Default nil: `tool_use` when the content holds a tool call, else `end_turn`.
        ///   - inputTokens: Default 12.
        ///   - outputTokens: Default nil: a rough count, one token per four characters of content (at least 1).
        public init(content: [Block], model: String? = nil, stopReason: String? = nil, inputTokens: Int = 12, outputTokens: Int? = nil) {
            self.content = content
            self.model = model
            self.stopReason = stopReason ?? (content.contains { if case .toolUse = $0 { true } else { false } } ? "tool_use" : "end_turn")
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens ?? max(1, content.map(\.characterCount).reduce(0, +) / 4)
        }

        /// A message of one text block, ending with `end_turn`.
        public static func text(_ text: String, model: String? = nil, inputTokens: Int = 12, outputTokens: Int? = nil) -> Message {
            Message(content: [.text(text)], model: model, inputTokens: inputTokens, outputTokens: outputTokens)
        }

        /// A message calling one tool (after an optional text block), ending with `tool_use`.
        /// - Parameters:
        ///   - inputJSON: The tool input, a JSON object such as `{"caption":"Morning run"}`.
        ///   - id: Default nil: a fresh `toolu_…` id.
        public static func tool(
            name: String,
            inputJSON: String,
            id: String? = nil,
            text: String? = nil,
            model: String? = nil,
            inputTokens: Int = 12,
            outputTokens: Int? = nil
        ) -> Message {
            let call = Block.toolUse(id: id ?? FakeIdentifier.make("toolu_"), name: name, inputJSON: inputJSON)
            return Message(
                content: (text.map { [Block.text($0)] } ?? []) + [call],
                model: model,
                inputTokens: inputTokens,
                outputTokens: outputTokens
            )
        }
    }
}

extension FakeLLMRouter.Message.Block {
    var characterCount: Int {
        switch self {
        case .text(let text): text.count
        case .toolUse(_, let name, let inputJSON): name.count + inputJSON.count
        }
    }
}

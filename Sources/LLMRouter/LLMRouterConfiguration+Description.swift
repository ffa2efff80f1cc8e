extension LLMRouterConfiguration: CustomStringConvertible {
    /// Everything but the key (`LLM_ROUTER_API_KEY`), which is never logged or shown.
    public var description: String {
        "LLMRouterConfiguration(baseURL: \(baseURL), apiKey: <redacted>, authentication: \(authentication), api: \(api), "
            + "contentModel: \(contentModel), moderationModel: \(moderationModel), timeoutSeconds: \(timeoutSeconds), attempts: \(attempts))"
    }
}

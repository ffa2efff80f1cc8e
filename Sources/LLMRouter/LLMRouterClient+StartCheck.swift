import Logging

extension LLMRouterClient {
    /// What `serve` learns of the router at start: whether `/health` answers and whether the configured
    /// models are offered. A router that is down is a warning, not a refusal to start: requests wait in the
    /// queue and are drafted once it is back. Returns a line for `/healthz`.
    @discardableResult
    public func checkAtStart() async -> String {
        do {
            try await health()
        } catch {
            logger.warning("the LLM router is not healthy; drafting waits for it", metadata: ["error": "\(error)"])
            return "unreachable: \(error)"
        }
        let offered: [String]
        do { offered = try await models() } catch {
            logger.warning("the LLM router's model list could not be read", metadata: ["error": "\(error)"])
            return "healthy, model list unreadable"
        }
        for model in [configuration.contentModel, configuration.moderationModel] where !model.hasPrefix("/") && !offered.contains(model) {
            logger.warning("the LLM router does not list this model", metadata: ["model": "\(model)", "offered": "\(offered.count) models"])
        }
        logger.info(
            "LLM router reachable",
            metadata: [
                "api": "\(configuration.api.rawValue)", "models": "\(offered.count)",
                "content_model": "\(configuration.contentModel)", "moderation_model": "\(configuration.moderationModel)",
            ]
        )
        return "healthy, \(offered.count) models"
    }
}

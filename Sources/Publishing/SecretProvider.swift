public import Foundation

/// Resolves an account's `vault_ref` into its credential. Production keeps credentials in Supabase Vault; in
/// development and tests `EnvironmentSecretProvider` reads them from the environment.
public protocol SecretProvider: Sendable {
    /// The credential `reference` names; throws `PublishError.hard` when it cannot be had (the account cannot
    /// publish until an operator reconnects it).
    func credential(for reference: String) throws -> AccountCredential
}

/// Credentials from the environment: `vault_ref = 'env:LINKEDIN_TOKEN_AURORA'` reads `LINKEDIN_TOKEN_AURORA`.
/// Any other kind of reference is refused with a reason that says so.
public struct EnvironmentSecretProvider: SecretProvider {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func credential(for reference: String) throws -> AccountCredential {
        guard reference.hasPrefix("env:") else {
            throw PublishError.hard(
                "the account's vault_ref '\(reference)' is not an env:NAME reference, the only kind this daemon resolves"
            )
        }
        let name = String(reference.dropFirst(4))
        guard let value = environment[name], !value.isEmpty else {
            throw PublishError.hard("the account's credential \(name) (vault_ref \(reference)) is not set")
        }
        return AccountCredential(value)
    }
}

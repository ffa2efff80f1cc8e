extension EnvironmentSecretProvider: CustomStringConvertible {
    /// How many variables it could resolve, never their values (every credential it serves is one of them).
    public var description: String { "EnvironmentSecretProvider(\(environment.count) variables, not shown)" }
}

public import Domain
public import Foundation
import Yams

/// A pipeline loaded from `pipelines/<name>.yaml`: its stages in the order they run.
///
/// ```yaml
/// name: post-request
/// stages:
///   - name: probe
///     status: analyzing        # the request's status while this stage runs
///     options: { max_duration_seconds: 900 }
///   - name: draft
///     needs: [probe]
/// ```
public struct PipelineDefinition: Sendable {
    /// One configured stage.
    public struct StageEntry: Sendable {
        public let name: String
        public let kind: String
        public let scope: StageScope
        public let needs: [String]
        /// The request status to show while this stage runs (`analyzing` or `drafting`), if any.
        public let status: PostRequestStatus?
        /// For each output kind the stage reads, the stage of this pipeline that produces it (nil for an
        /// optional read the pipeline has no stage for).
        public let sources: [String: String?]
        let stage: any RunnableStage
    }

    public let name: String
    public let file: String
    /// Stages in a valid run order (dependencies first, otherwise file order).
    public let stages: [StageEntry]

    /// Loads and validates a pipeline file against the registry.
    public static func load(from url: URL, registry: StageRegistry) throws -> PipelineDefinition {
        try parse(YAMLDocument(contentsOf: url), registry: registry)
    }

    /// Parses a pipeline from YAML text; `file` names it in errors.
    public static func parse(text: String, file: String, registry: StageRegistry) throws -> PipelineDefinition {
        try parse(YAMLDocument(text: text, file: file), registry: registry)
    }

    private static func parse(_ document: YAMLDocument, registry: StageRegistry) throws -> PipelineDefinition {
        let top = try document.mapping(document.root, what: "the pipeline", allowed: ["name", "description", "stages"])
        guard let name = try document.string(top, "name", in: "the pipeline", at: document.root) else {
            throw document.error("the pipeline needs a name", at: document.root)
        }
        guard let stagesNode = top["stages"], let list = stagesNode.sequence, !list.isEmpty else {
            throw document.error("the pipeline needs a non-empty 'stages' list", at: top["stages"] ?? document.root)
        }
        var entries: [StageEntry] = []
        var nodes: [String: Node] = [:]
        var reads: [String: [StageRead]] = [:]
        for node in list {
            let mapping = try document.mapping(node, what: "a stage", allowed: ["name", "kind", "needs", "status", "options"])
            let stageName = try document.string(mapping, "name", in: "a stage", at: node)!
            guard nodes[stageName] == nil else { throw document.error("stage '\(stageName)' is defined twice", at: node) }
            let kind = try document.string(mapping, "kind", in: "a stage", required: false, at: node) ?? stageName
            guard let entry = registry.entries[kind] else {
                throw document.error(
                    "unknown stage '\(kind)' (known: \(registry.kinds.joined(separator: ", ")))",
                    at: mapping["kind"] ?? mapping["name"] ?? node
                )
            }
            var needs: [String] = []
            if let needsNode = mapping["needs"] {
                guard let sequence = needsNode.sequence else { throw document.error("'needs' must be a list of stage names", at: needsNode) }
                needs = try sequence.map { item in
                    guard let text = item.string else { throw document.error("'needs' must list stage names", at: item) }
                    return text
                }
            }
            var status: PostRequestStatus?
            if let statusText = try document.string(mapping, "status", in: "a stage", required: false, at: node) {
                guard let value = PostRequestStatus(rawValue: statusText), value == .analyzing || value == .drafting else {
                    throw document.error("status must be 'analyzing' or 'drafting', not '\(statusText)'", at: mapping["status"])
                }
                status = value
            }
            let optionsNode = mapping["options"] ?? Node.mapping(Node.Mapping([]))
            _ = try document.mapping(optionsNode, what: "options of '\(stageName)'", allowed: entry.optionNames)
            let stage = try entry.build(document, optionsNode)
            nodes[stageName] = node
            entries.append(
                StageEntry(
                    name: stageName,
                    kind: kind,
                    scope: entry.scope,
                    needs: needs,
                    status: status,
                    sources: [:],
                    stage: stage
                )
            )
            reads[stageName] = entry.reads
        }
        for entry in entries {
            for need in entry.needs where nodes[need] == nil {
                throw document.error("stage '\(entry.name)' needs unknown stage '\(need)'", at: nodes[entry.name])
            }
        }
        let ordered = try order(entries, document: document, nodes: nodes)
        let resolved = try ordered.map { entry in
            try resolveReads(of: entry, reads: reads[entry.name] ?? [], in: ordered, document: document, node: nodes[entry.name])
        }
        return PipelineDefinition(name: name, file: document.file, stages: resolved)
    }

    /// Finds, for each output a stage reads, the stage among its needs (direct or not) that produces it; an
    /// output read but not needed is an error at the stage's line.
    private static func resolveReads(
        of entry: StageEntry,
        reads: [StageRead],
        in stages: [StageEntry],
        document: YAMLDocument,
        node: Node?
    ) throws -> StageEntry {
        let byName = Dictionary(uniqueKeysWithValues: stages.map { ($0.name, $0) })
        var upstream = Set<String>()
        var frontier = entry.needs
        while let next = frontier.popLast() {
            guard upstream.insert(next).inserted, let needed = byName[next] else { continue }
            frontier += needed.needs
        }
        var sources: [String: String?] = [:]
        for read in reads {
            let producers = upstream.compactMap { byName[$0] }.filter { $0.kind == read.producer }.map(\.name).sorted()
            if producers.count > 1 {
                throw document.error(
                    "stage '\(entry.name)' reads \(read) but needs several such stages (\(producers.joined(separator: ", ")))",
                    at: node
                )
            }
            if let producer = producers.first {
                sources[read.producer] = .some(producer)
                continue
            }
            let present = stages.filter { $0.kind == read.producer }.map(\.name)
            if read.required || !present.isEmpty {
                let add = present.first ?? read.producer
                throw document.error(
                    "stage '\(entry.name)' reads \(read) but does not need it: add '\(add)' to its needs"
                        + (present.isEmpty ? " (the pipeline has no such stage)" : ""),
                    at: node
                )
            }
            sources[read.producer] = .some(nil)
        }
        return StageEntry(
            name: entry.name,
            kind: entry.kind,
            scope: entry.scope,
            needs: entry.needs,
            status: entry.status,
            sources: sources,
            stage: entry.stage
        )
    }

    /// The named stages and every stage that needs one of them, directly or not, in run order.
    public func stagesAffected(byRerunning names: Set<String>) -> [String] {
        var affected = names
        for entry in stages where entry.needs.contains(where: affected.contains) { affected.insert(entry.name) }
        return stages.map(\.name).filter(affected.contains)
    }

    /// Topological order that keeps file order among independent stages; a cycle is an error.
    private static func order(_ entries: [StageEntry], document: YAMLDocument, nodes: [String: Node]) throws -> [StageEntry] {
        var placed: [StageEntry] = []
        var done = Set<String>()
        var remaining = entries
        while !remaining.isEmpty {
            guard let index = remaining.firstIndex(where: { $0.needs.allSatisfy(done.contains) }) else {
                let names = remaining.map(\.name).joined(separator: ", ")
                throw document.error("the stages form a cycle: \(names)", at: nodes[remaining[0].name])
            }
            let next = remaining.remove(at: index)
            placed.append(next)
            done.insert(next.name)
        }
        return placed
    }
}

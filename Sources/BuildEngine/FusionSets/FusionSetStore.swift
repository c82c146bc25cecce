import Foundation

/// The Fusion Sets of a workspace, one JSON file each in `fusion-sets/`. Every change takes
/// the workspace's `fusion-sets` lock, so two appseal processes never both claim a name.
public struct FusionSetStore: Sendable {
    public let workspace: Workspace
    public let validator: FusionSetValidator
    static let lockName = "fusion-sets"

    public init(workspace: Workspace, validator: FusionSetValidator = FusionSetValidator()) {
        self.workspace = workspace
        self.validator = validator
    }

    // MARK: reading

    /// Every readable set, sorted by name; files that cannot be read are reported with the reason.
    public func list() -> (sets: [FusionSet], problems: [String]) {
        let folder = workspace.fusionSetsDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return ([], []) }
        var sets: [FusionSet] = []
        var problems: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            do {
                sets.append(try read(folder.appendingPathComponent(name)))
            } catch let error as FusionSetError {
                problems.append(error.message)
            } catch let error as WorkspaceError {
                problems.append(error.description)
            } catch {
                problems.append("\(folder.path)/\(name): \(error)")
            }
        }
        return (sets.sorted { ($0.name.lowercased(), $0.id) < ($1.name.lowercased(), $1.id) }, problems)
    }

    /// A set by full ID, by a unique ID prefix of at least 6 digits, or by its exact name.
    public func find(_ reference: String) throws -> FusionSet {
        if FusionSetID.isValid(reference) {
            let file = try workspace.fusionSetFile(id: reference)
            guard FileManager.default.fileExists(atPath: file.path) else { throw FusionSetError.notFound(id: reference) }
            return try read(file)
        }
        let all = list().sets
        if let named = all.first(where: { $0.name == reference }) { return named }
        let lowered = reference.lowercased()
        if lowered.count >= 6, lowered.allSatisfy(\.isHexDigit) {
            let matches = all.filter { $0.id.hasPrefix(lowered) }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 { throw FusionSetError.ambiguousReference(text: reference, matches: matches.map(\.id)) }
        }
        throw FusionSetError.notFound(id: reference)
    }

    // MARK: changing

    public func create(name: String, platform: FusionSetPlatform, features: [String: FeatureOptions],
                       annotations: [String], now: Date = Date()) throws -> FusionSet {
        let timestamp = WorkspaceJSON.timestamp(now)
        let draft = FusionSet(id: FusionSetID.generate(), name: name, platform: platform, annotations: annotations,
                              created: timestamp, updated: timestamp, features: features)
        return try workspace.withLock(named: Self.lockName) {
            let set = try validator.validate(draft)
            try requireUniqueName(set.name, except: nil)
            try write(set)
            return set
        }
    }

    /// Applies `change` to the stored set and saves it if it still validates.
    public func edit(_ reference: String, now: Date = Date(), _ change: (inout FusionSet) throws -> Void) throws -> FusionSet {
        try workspace.withLock(named: Self.lockName) {
            var set = try find(reference)
            let before = set
            try change(&set)
            set = try validator.validate(set)
            guard set != before else { return set }
            set.updated = WorkspaceJSON.timestamp(now)
            try requireUniqueName(set.name, except: set.id)
            try write(set)
            return set
        }
    }

    @discardableResult
    public func delete(_ reference: String) throws -> FusionSet {
        try workspace.withLock(named: Self.lockName) {
            let set = try find(reference)
            let file = try workspace.fusionSetFile(id: set.id)
            guard unlink(file.path) == 0 else {
                throw WorkspaceError.writeFailed(path: file.path, operation: "delete", reason: String(cString: strerror(errno)))
            }
            try AtomicFile.syncDirectory(workspace.fusionSetsDirectory)
            return set
        }
    }

    /// A copy with a new ID and name (default: "<name> (copy)", "<name> (copy 2)", ...).
    public func duplicate(_ reference: String, name: String?, now: Date = Date()) throws -> FusionSet {
        try workspace.withLock(named: Self.lockName) {
            let original = try find(reference)
            let taken = Set(list().sets.map(\.name))
            var newName = name ?? "\(original.name) (copy)"
            var counter = 2
            while name == nil, taken.contains(newName) {
                newName = "\(original.name) (copy \(counter))"
                counter += 1
            }
            let timestamp = WorkspaceJSON.timestamp(now)
            var copy = FusionSet(id: FusionSetID.generate(), name: newName, platform: original.platform,
                                 annotations: original.annotations, created: timestamp, updated: timestamp,
                                 features: original.features)
            copy = try validator.validate(copy)
            try requireUniqueName(copy.name, except: nil)
            try write(copy)
            return copy
        }
    }

    /// The set's file as it would be shared: the workspace JSON dialect.
    public func export(_ reference: String) throws -> Data {
        let set = try find(reference)
        return try WorkspaceJSON.encode(set, path: "export of \(set.id)")
    }

    /// Imports a set from exported JSON. It keeps its ID unless that ID is already in this
    /// workspace and `newID` is set; `name` renames it (e.g. on a name clash).
    public func importSet(_ data: Data, source: String, newID: Bool = false, name: String? = nil) throws -> FusionSet {
        var set = try Self.decode(data, source: source)
        try workspace.withLock(named: Self.lockName) {
            if newID {
                set = FusionSet(id: FusionSetID.generate(), name: set.name, platform: set.platform,
                                annotations: set.annotations, created: set.created, updated: set.updated,
                                features: set.features)
            } else if FileManager.default.fileExists(atPath: try workspace.fusionSetFile(id: set.id).path) {
                throw FusionSetImportError.idExists(id: set.id, source: source)
            }
            if let name { set.name = name }
            set = try validator.validate(set)
            try requireUniqueName(set.name, except: nil)
            try write(set)
        }
        return set
    }

    // MARK: files

    /// Decodes a set file: schema first, so a newer file gets a schema error rather than a
    /// confusing field error; then the fields, then the checks against the catalog.
    static func decode(_ data: Data, source: String) throws -> FusionSet {
        struct SchemaProbe: Decodable { let schema: Int? }
        let probe: SchemaProbe
        do {
            probe = try JSONDecoder().decode(SchemaProbe.self, from: data)
        } catch let error as DecodingError {
            throw FusionSetError.unreadable(file: source, reason: "not a Fusion Set file: \(WorkspaceJSON.describe(error))")
        }
        guard let schema = probe.schema else {
            throw FusionSetError.unreadable(file: source, reason: "not a Fusion Set file: 'schema' is missing")
        }
        guard schema == FusionSet.schemaVersion else {
            throw FusionSetError.unsupportedSchema(file: source, found: schema, supported: FusionSet.schemaVersion)
        }
        let set: FusionSet
        do {
            set = try WorkspaceJSON.makeDecoder().decode(FusionSet.self, from: data)
        } catch let error as DecodingError {
            throw FusionSetError.unreadable(file: source, reason: WorkspaceJSON.describe(error))
        }
        guard FusionSetID.isValid(set.id) else { throw FusionSetError.invalidID(text: set.id) }
        return set
    }

    private func read(_ file: URL) throws -> FusionSet {
        guard let data = try WorkspaceJSON.readBytesIfPresent(file, limit: 4 * 1024 * 1024) else {
            throw FusionSetError.unreadable(file: file.path, reason: "no such file")
        }
        let set = try Self.decode(data, source: file.path)
        guard file.lastPathComponent == "\(set.id).json" else {
            throw FusionSetError.unreadable(file: file.path, reason: "its id '\(set.id)' does not match the file name")
        }
        do {
            return try validator.validate(set)
        } catch {
            throw FusionSetError.unreadable(file: file.path, reason: error.message)
        }
    }

    private func write(_ set: FusionSet) throws(WorkspaceError) {
        try workspace.ensureDirectory(workspace.fusionSetsDirectory)
        try WorkspaceJSON.write(set, to: try workspace.fusionSetFile(id: set.id))
    }

    private func requireUniqueName(_ name: String, except id: String?) throws(FusionSetError) {
        if let clash = list().sets.first(where: { $0.name == name && $0.id != id }) {
            throw .duplicateName(name: name, existingID: clash.id)
        }
    }
}

public enum FusionSetImportError: Error, Sendable, Equatable {
    case idExists(id: String, source: String)

    public var message: String {
        switch self {
        case let .idExists(id, source):
            return "\(source): a Fusion Set with ID \(id) is already in this workspace; "
                + "import with --new-id to keep both"
        }
    }
}

/// Caps that keep a hostile archive from exhausting memory, disk or time.
///
/// Declared sizes are checked when the archive is opened; actual sizes are enforced while
/// data is inflated, so an entry that lies about its size stops at the limit, not after it.
public struct ZipLimits: Sendable, Equatable {
    /// Most entries an archive may list.
    public var maxEntries: Int
    /// Largest uncompressed size of a single entry.
    public var maxEntrySize: UInt64
    /// Largest sum of all entries' uncompressed sizes.
    public var maxTotalSize: UInt64
    /// Largest uncompressed/compressed ratio of an entry (deflate itself cannot exceed about 1032).
    public var maxRatio: UInt64
    /// Largest entry `readData` will return as one array; larger ones must be streamed.
    public var maxInMemoryEntrySize: UInt64
    /// Largest central directory read into memory (it grows with the entry count, not the data).
    public var maxCentralDirectorySize: UInt64
    /// Accept names that are absolute or contain `..`, backslashes or NUL (for inspecting hostile apps).
    public var allowUnsafeNames: Bool

    public init(maxEntries: Int = 200_000,
                maxEntrySize: UInt64 = 4 << 30,
                maxTotalSize: UInt64 = 32 << 30,
                maxRatio: UInt64 = 1100,
                maxInMemoryEntrySize: UInt64 = 512 << 20,
                maxCentralDirectorySize: UInt64 = 128 << 20,
                allowUnsafeNames: Bool = false) {
        self.maxEntries = maxEntries
        self.maxEntrySize = maxEntrySize
        self.maxTotalSize = maxTotalSize
        self.maxRatio = maxRatio
        self.maxInMemoryEntrySize = maxInMemoryEntrySize
        self.maxCentralDirectorySize = maxCentralDirectorySize
        self.allowUnsafeNames = allowUnsafeNames
    }

    public static let `default` = ZipLimits()
}

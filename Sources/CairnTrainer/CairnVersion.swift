/// The version of Cairn, recorded in every checkpoint manifest.
public enum CairnVersion {
    /// Semantic version of the library and its checkpoint writer.
    public static let current = "0.1.0"
}

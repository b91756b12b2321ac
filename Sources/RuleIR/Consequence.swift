/// What the board does to the credential when a requirement is still unmet at its deadline, when that
/// is not simply expiry (`Grammar/pack-language.md` §3.13): Colorado makes a license whose holder is
/// short of CME inactive until reinstated; Kentucky makes an unrenewed license inactive after the
/// penalty month; Georgia revokes one not renewed in the late-renewal period.
public struct Consequence: Sendable, Hashable {
    /// The credential's state once the consequence takes effect.
    public enum Becomes: String, Sendable, Hashable, CaseIterable {
        /// Inactive until reinstated or reactivated.
        case inactive
        /// Suspended (automatically, by rule).
        case suspended
        /// Revoked (administratively, for failing to renew; not disciplinary).
        case revoked
    }

    /// The state the credential takes.
    public var becomes: Becomes
    /// The citation id of the consequence, when it is not the requirement's own.
    public var cite: String?

    /// Creates a consequence.
    public init(becomes: Becomes, cite: String?) {
        self.becomes = becomes
        self.cite = cite
    }
}

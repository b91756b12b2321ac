public import RuleBase

/// One `audit_logs` row (HIPAA 164.312(b)): who did what to which resource, how it ended, and
/// what was read or changed (counts, names) in `metadata`.
public struct AuditEntry: Sendable {
    public enum Status: String, Sendable { case success, failure, denied }

    public var actor: String
    public var role: String
    public var action: String
    public var resource: String
    public var resourceID: String?
    public var status: Status
    public var metadata: [(String, JSONValue)]

    public init(actor: String, role: String, action: String, resource: String, resourceID: String? = nil,
                status: Status, metadata: [(String, JSONValue)] = []) {
        self.actor = actor
        self.role = role
        self.action = action
        self.resource = resource
        self.resourceID = resourceID
        self.status = status
        self.metadata = metadata
    }
}

extension Connection {
    /// Appends an audit row.
    public func writeAudit(_ entry: AuditEntry) throws(StoreError) {
        try execute(
            "INSERT INTO audit_logs (actor_id, actor_role, action, resource, resource_id, status, metadata_json) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
            [.text(entry.actor), .text(entry.role), .text(entry.action), .text(entry.resource),
             entry.resourceID.map { .text($0) }, .text(entry.status.rawValue), .text(JSONValue.object(entry.metadata).canonicalText)])
    }

    /// Sets the actor recorded in change events, credential versions and audit rows
    /// (`app.current_actor_id`) for this session.
    public func setActor(_ actor: String) throws(StoreError) {
        try execute("SELECT set_config('app.current_actor_id', $1, false)", [.text(actor)])
    }

    /// Acts as one of credrules' group roles for the rest of the session (`SET ROLE`), so the
    /// grants and policies of that role apply. The login must be a member of it (or a superuser).
    public func assumeRole(_ role: DatabaseRole) throws(StoreError) {
        try execute("SELECT set_config('role', $1, false)", [.text(role.rawValue)])
    }
}

/// The NOLOGIN group roles the migrations create (Sources/RuleStore/Migrations/SCHEMA.md).
public enum DatabaseRole: String, Sendable {
    /// The API's connections; row-level security by `app.current_role` and friends.
    case app = "credrules_app"
    /// The nightly evaluator: reads facts, writes outputs.
    case engine = "credrules_engine"
    /// The retention job: may only run credrules_retention_purge.
    case retention = "credrules_retention"
    /// File imports and publishing (credrules db import, credrules publish).
    case loader = "credrules_loader"
}

extension Connection {
    /// Runs the retention function as of `date` (YYYY-MM-DD) and returns its JSON result
    /// (`{"as_of", "cutoff", "purged": {table: count}}`).
    public func runRetention(asOf date: CalendarDate) throws(StoreError) -> String {
        try execute("SELECT credrules_retention_purge($1::date)::text", [.text(date.description)]).scalar ?? "{}"
    }
}

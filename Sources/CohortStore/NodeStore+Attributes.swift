import Foundation
import GRDB

extension NodeStore {
    /// Every stored custom attribute value: customer id → attribute name → canonical text (see
    /// ``CustomAttribute``). For the node's local feature export. O(attribute rows).
    public func customerAttributes() throws -> [String: [String: String]] {
        try mapDatabaseErrors {
            try pool.read { db in
                var out: [String: [String: String]] = [:]
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT c.customer_id, a.name, a.value FROM customer_attributes a JOIN customers c ON c.id = a.customer
                    """)
                while let row = try cursor.next() {
                    out[row[0], default: [:]][row[1]] = row[2]
                }
                return out
            }
        }
    }

    /// The values of one custom attribute by customer row id (`customers.id`), for study inputs.
    /// O(customers with the attribute).
    public func attributeValues(name: String) throws -> [Int64: String] {
        try mapDatabaseErrors {
            try pool.read { db in
                var out: [Int64: String] = [:]
                let cursor = try Row.fetchCursor(db, sql: "SELECT customer, value FROM customer_attributes WHERE name = ?", arguments: [name])
                while let row = try cursor.next() { out[row[0]] = row[1] }
                return out
            }
        }
    }

    /// The mapping (file name and SHA-256) and notes recorded with an import, or nil values for
    /// an import without a mapping.
    public func importMappingRecord(id: Int64) throws -> (mapping: String?, notes: [String]) {
        try mapDatabaseErrors {
            try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT mapping, notes FROM imports WHERE id = ?", arguments: [id]) else {
                    return (nil, [])
                }
                let notes: String? = row[1]
                return (row[0], notes.map { $0.components(separatedBy: "\n") } ?? [])
            }
        }
    }
}

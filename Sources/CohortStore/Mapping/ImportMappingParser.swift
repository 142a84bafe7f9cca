import Crypto
import Foundation
import Yams

/// Reads and validates a mapping file (see ``ImportMapping`` and `docs/mappings/README.md`).
/// Every problem is a ``StoreError`` `.invalidMapping` naming `file:line:column` in the mapping.
public enum ImportMappingParser {
    /// The target fields of each kind and whether the mapping must fill them.
    static func targets(of kind: ImportKind) -> [(name: String, required: Bool)] {
        switch kind {
        case .transactions:
            return [("customer_id", true), ("ts", true), ("amount", true), ("currency", true), ("channel", true),
                    ("category", true), ("order_id", false), ("sign", false)]
        case .customers, .consent:
            return CSVImporter.columns(of: kind)
        }
    }

    /// Reads `path` and parses it.
    public static func load(path: String) throws -> ImportMapping {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StoreError(.invalidMapping, "cannot read the mapping file: \(error.localizedDescription)", file: path)
        }
        return try parse(text, file: path)
    }

    /// Parses mapping text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> ImportMapping {
        func fail(_ location: ImportMapping.Location?, _ message: String) -> StoreError {
            StoreError(.invalidMapping, message, file: file, line: location?.line, column: location?.column)
        }
        func loc(_ node: Node) -> ImportMapping.Location {
            ImportMapping.Location(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw fail(nil, "the mapping file is empty") }
            root = node
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                throw fail(ImportMapping.Location(line: mark.line, column: mark.column), "not valid YAML: \(problem)")
            default:
                throw fail(nil, "not valid YAML: \(error)")
            }
        }
        guard root.mapping != nil else { throw fail(loc(root), "expected a mapping with kind, format, fields …") }

        func keys(_ node: Node, allowed: [String], what: String) throws -> [String: Node] {
            guard let mapping = node.mapping else { throw fail(loc(node), "\(what) must be a mapping") }
            var out: [String: Node] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw fail(loc(key), "\(what): keys must be text") }
                guard allowed.contains(name) else {
                    throw fail(loc(key), "\(what): unknown key '\(name)' (expected one of: \(allowed.joined(separator: ", ")))")
                }
                guard out[name] == nil else { throw fail(loc(key), "\(what): key '\(name)' appears twice") }
                out[name] = value
            }
            return out
        }
        func string(_ node: Node, _ what: String) throws -> String {
            guard let scalar = node.scalar else { throw fail(loc(node), "\(what) must be a single value") }
            return scalar.string
        }
        func strings(_ node: Node, _ what: String) throws -> [String] {
            guard let sequence = node.sequence else { throw fail(loc(node), "\(what) must be a list") }
            return try sequence.map { try string($0, what) }
        }
        func bool(_ node: Node, _ what: String) throws -> Bool {
            switch try string(node, what) {
            case "true", "yes": return true
            case "false", "no": return false
            case let other: throw fail(loc(node), "\(what) must be true or false, found '\(other)'")
            }
        }

        let top = try keys(root, allowed: ["kind", "source", "format", "filter", "fields", "attributes", "derive_customers"],
                           what: "the mapping")
        guard let kindNode = top["kind"] else { throw fail(loc(root), "missing key 'kind' (customers, transactions or consent)") }
        guard let kind = ImportKind(rawValue: try string(kindNode, "kind")) else {
            throw fail(loc(kindNode), "unknown kind '\(kindNode.string ?? "")' (expected customers, transactions or consent)")
        }
        let defaultSource = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var source = defaultSource
        if let node = top["source"] {
            source = try string(node, "source")
            guard !source.isEmpty, source.utf8.count <= 100, source.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw fail(loc(node), "source must be 1–100 letters, digits, '-', '_' or '.'")
            }
        }

        var delimiter = ImportMapping.Delimiter.comma
        var header = true
        var columns: [String] = []
        if let node = top["format"] {
            let format = try keys(node, allowed: ["delimiter", "header", "columns"], what: "format")
            if let d = format["delimiter"] {
                guard let value = ImportMapping.Delimiter(rawValue: try string(d, "format.delimiter")) else {
                    throw fail(loc(d), "format.delimiter must be comma or whitespace")
                }
                delimiter = value
            }
            if let h = format["header"] { header = try bool(h, "format.header") }
            if let c = format["columns"] {
                columns = try strings(c, "format.columns")
                guard Set(columns).count == columns.count else { throw fail(loc(c), "format.columns names a column twice") }
            }
            if !header && columns.isEmpty {
                throw fail(loc(node), "a file without a header row needs format.columns (the names the fields refer to)")
            }
            if header && !columns.isEmpty {
                throw fail(loc(node), "format.columns is only for files without a header row (header: false)")
            }
        }

        func rule(_ node: Node, _ what: String, allowFormat: Bool) throws -> ImportMapping.Rule {
            if let scalar = node.scalar {
                return ImportMapping.Rule(source: .column(scalar.string, loc(node)), values: nil, format: nil, location: loc(node))
            }
            let parts = try keys(node, allowed: ["column", "columns", "value", "values"] + (allowFormat ? ["format"] : []), what: what)
            var source: ImportMapping.Source?
            for key in ["column", "columns", "value"] where parts[key] != nil {
                guard source == nil else { throw fail(loc(node), "\(what): give only one of column, columns and value") }
                let v = parts[key]!
                switch key {
                case "column": source = .column(try string(v, "\(what).column"), loc(v))
                case "columns":
                    guard let sequence = v.sequence, !sequence.isEmpty else { throw fail(loc(v), "\(what).columns must be a non-empty list") }
                    source = .columns(try sequence.map { (try string($0, "\(what).columns"), loc($0)) })
                default: source = .constant(try string(v, "\(what).value"))
                }
            }
            guard let source else { throw fail(loc(node), "\(what): give column, columns or value") }
            var values: [String: String]?
            if let v = parts["values"] {
                guard let mapping = v.mapping else { throw fail(loc(v), "\(what).values must map source values to values") }
                var table: [String: String] = [:]
                for (key, value) in mapping {
                    table[try string(key, "\(what).values")] = try string(value, "\(what).values")
                }
                values = table
            }
            var format: TimestampFormat?
            if let f = parts["format"] {
                let name = try string(f, "\(what).format")
                guard let value = TimestampFormat(rawValue: name) else {
                    throw fail(loc(f), "\(what).format: unknown format '\(name)' (expected one of: \(TimestampFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                format = value
            }
            return ImportMapping.Rule(source: source, values: values, format: format, location: loc(node))
        }

        let timeFields: Set<String> = ["ts", "at", "signup_date", "churn_date"]
        var fields: [String: ImportMapping.Rule] = [:]
        var amount: ImportMapping.Amount?
        var sign: ImportMapping.Sign?
        let targets = Self.targets(of: kind)
        guard let fieldsNode = top["fields"] else { throw fail(loc(root), "missing key 'fields' (how the source columns map to \(kind.rawValue) fields)") }
        let fieldNodes = try keys(fieldsNode, allowed: targets.map(\.name), what: "fields")
        for (name, node) in fieldNodes {
            switch name {
            case "amount":
                if let scalar = node.scalar {
                    amount = .decimal(ImportMapping.Rule(source: .column(scalar.string, loc(node)), values: nil, format: nil, location: loc(node)))
                    continue
                }
                let parts = try keys(node, allowed: ["column", "unit", "quantity", "unit_price", "unit_price_digits"], what: "fields.amount")
                if let q = parts["quantity"] {
                    guard let p = parts["unit_price"] else { throw fail(loc(node), "fields.amount: quantity needs unit_price") }
                    guard parts["column"] == nil, parts["unit"] == nil else { throw fail(loc(node), "fields.amount: give either column or quantity and unit_price") }
                    var digits: Int?
                    if let d = parts["unit_price_digits"] {
                        guard let value = Int(try string(d, "fields.amount.unit_price_digits")), (0...6).contains(value) else {
                            throw fail(loc(d), "fields.amount.unit_price_digits must be an integer in 0–6")
                        }
                        digits = value
                    }
                    amount = .product(quantity: try rule(q, "fields.amount.quantity", allowFormat: false),
                                      unitPrice: try rule(p, "fields.amount.unit_price", allowFormat: false), unitPriceDigits: digits)
                } else {
                    guard let c = parts["column"] else { throw fail(loc(node), "fields.amount: give column, or quantity and unit_price") }
                    guard parts["unit_price"] == nil, parts["unit_price_digits"] == nil else {
                        throw fail(loc(node), "fields.amount: unit_price needs quantity")
                    }
                    let r = ImportMapping.Rule(source: .column(try string(c, "fields.amount.column"), loc(c)), values: nil, format: nil, location: loc(c))
                    switch try parts["unit"].map({ try string($0, "fields.amount.unit") }) ?? "major" {
                    case "major": amount = .decimal(r)
                    case "minor": amount = .minorUnits(r)
                    default: throw fail(loc(parts["unit"]!), "fields.amount.unit must be major (12.50) or minor (1250)")
                    }
                }
            case "sign":
                let parts = try keys(node, allowed: ["column", "negative_prefix", "negative_values"], what: "fields.sign")
                guard let c = parts["column"] else { throw fail(loc(node), "fields.sign needs column") }
                let r = ImportMapping.Rule(source: .column(try string(c, "fields.sign.column"), loc(c)), values: nil, format: nil, location: loc(c))
                if let prefix = parts["negative_prefix"] {
                    guard parts["negative_values"] == nil else { throw fail(loc(node), "fields.sign: give negative_prefix or negative_values, not both") }
                    let text = try string(prefix, "fields.sign.negative_prefix")
                    guard !text.isEmpty else { throw fail(loc(prefix), "fields.sign.negative_prefix must not be empty") }
                    sign = .negativePrefix(r, text)
                } else if let values = parts["negative_values"] {
                    sign = .negativeValues(r, Set(try strings(values, "fields.sign.negative_values")))
                } else {
                    throw fail(loc(node), "fields.sign needs negative_prefix or negative_values")
                }
            default:
                fields[name] = try rule(node, "fields.\(name)", allowFormat: timeFields.contains(name))
            }
        }
        for target in targets where target.required {
            let present = target.name == "amount" ? amount != nil : fields[target.name] != nil
            guard present else {
                throw fail(loc(fieldsNode), "fields: missing '\(target.name)' (a \(kind.rawValue) import needs \(targets.filter(\.required).map(\.name).joined(separator: ", ")); use value: for a constant)")
            }
        }

        var attributes: [String: ImportMapping.Rule] = [:]
        if let node = top["attributes"] {
            guard kind == .customers else { throw fail(loc(node), "attributes are imported with customers (kind: customers)") }
            guard let mapping = node.mapping else { throw fail(loc(node), "attributes must map attribute names to columns") }
            for (key, value) in mapping {
                let name = try string(key, "attributes")
                guard attributes[name] == nil else { throw fail(loc(key), "attribute '\(name)' appears twice") }
                attributes[name] = try rule(value, "attributes.\(name)", allowFormat: false)
            }
        }
        var derive = false
        if let node = top["derive_customers"] {
            derive = try bool(node, "derive_customers")
            if derive && kind != .transactions { throw fail(loc(node), "derive_customers is for transactions mappings") }
        }

        var filters: [ImportMapping.Filter] = []
        if let node = top["filter"] {
            guard let sequence = node.sequence else { throw fail(loc(node), "filter must be a list of conditions") }
            for item in sequence {
                let parts = try keys(item, allowed: ["column", "equals", "not_equals", "in", "not_in", "not_empty"], what: "filter")
                guard let c = parts["column"] else { throw fail(loc(item), "filter: a condition needs column") }
                var condition: ImportMapping.Filter.Condition?
                for key in ["equals", "not_equals", "in", "not_in", "not_empty"] where parts[key] != nil {
                    guard condition == nil else { throw fail(loc(item), "filter: give one condition per entry") }
                    let v = parts[key]!
                    switch key {
                    case "equals": condition = .equals(try string(v, "filter.equals"))
                    case "not_equals": condition = .notEquals(try string(v, "filter.not_equals"))
                    case "in": condition = .oneOf(Set(try strings(v, "filter.in")))
                    case "not_in": condition = .noneOf(Set(try strings(v, "filter.not_in")))
                    default:
                        guard try bool(v, "filter.not_empty") else { throw fail(loc(v), "filter.not_empty must be true") }
                        condition = .notEmpty
                    }
                }
                guard let condition else { throw fail(loc(item), "filter: give equals, not_equals, in, not_in or not_empty") }
                filters.append(ImportMapping.Filter(column: try string(c, "filter.column"), condition: condition, location: loc(c)))
            }
        }
        let digest = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        return ImportMapping(
            file: file, sha256: digest, kind: kind, source: source, delimiter: delimiter, header: header, columns: columns,
            filters: filters, fields: fields, amount: amount, sign: sign, attributes: attributes, deriveCustomers: derive)
    }
}

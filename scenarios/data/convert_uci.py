#!/usr/bin/env python3
"""Convert the UCI Online Retail purchases into three Cohort partners (Python 3 stdlib only).

Usage:  python3 scenarios/data/convert_uci.py [SOURCE.csv.gz] [OUT_DIR]
Defaults: ../shared/data/online-retail-uci.csv.gz (relative to the repository root) and the
folder of this script. Deterministic: the same source gives byte-identical outputs (gzip with
mtime 0 and no file name). See README.md in this folder for the split and every rule.
"""
import collections
import csv
import datetime
import decimal
import gzip
import hashlib
import io
import os
import sys

# Partner of each country (of a customer's first invoice). EU = the 27 member states of 2011
# other than the United Kingdom, plus the file's "European Community"; everything else is "world".
EU = {
    "Austria", "Belgium", "Cyprus", "Czech Republic", "Denmark", "EIRE", "European Community",
    "Finland", "France", "Germany", "Greece", "Italy", "Lithuania", "Malta", "Netherlands",
    "Poland", "Portugal", "Spain", "Sweden",
}
PARTNERS = ("uk", "eu", "world")

# The data's last day; a customer with no purchase in the last CHURN_DAYS days is churned.
LAST_DAY = datetime.date(2011, 12, 9)
CHURN_DAYS = 90

# Synthetic consent: share of customers granting each purpose (decided by a hash of the id).
CONSENT_SHARE = {"segmentation": 1.0, "benchmarking": 0.9, "model-training": 0.75}
POLICY_VERSION = "uci-2011"


def partner_of(country):
    if country == "United Kingdom":
        return "uk"
    return "eu" if country in EU else "world"


def share(purpose, customer):
    """A deterministic number in [0, 1) from SHA-256 of 'purpose:customer'."""
    digest = hashlib.sha256(f"{purpose}:{customer}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def iso(ts):
    """'YYYY-mm-dd HH:MM:SS' (the file's local UK time, taken as UTC) -> 'YYYY-mm-ddTHH:MM:SSZ'."""
    datetime.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S")  # checks the format; raises otherwise
    return ts.replace(" ", "T") + "Z"


def read_invoices(source):
    """Invoices of identified customers: {invoice: [customer, ts, country, total Decimal]}."""
    invoices = {}
    skipped_lines = 0
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
        if reader.fieldnames != expected:
            sys.exit(f"{source}: unexpected header {reader.fieldnames}, expected {expected}")
        for line, row in enumerate(reader, start=2):
            customer = row["CustomerID"].strip()
            if not customer:
                skipped_lines += 1
                continue
            try:
                quantity = int(row["Quantity"])
                price = decimal.Decimal(row["UnitPrice"])
                ts = iso(row["InvoiceDate"])
            except (ValueError, decimal.InvalidOperation) as error:
                sys.exit(f"{source}:{line}: {error}")
            if customer.endswith(".0"):  # the .rda export wrote some ids as numbers
                customer = customer[:-2]
            invoice = row["InvoiceNo"]
            entry = invoices.get(invoice)
            if entry is None:
                entry = invoices[invoice] = [customer, ts, row["Country"], decimal.Decimal(0)]
            elif entry[0] != customer:
                sys.exit(f"{source}:{line}: invoice {invoice} names customers {entry[0]} and {customer}")
            entry[3] += quantity * price
    return invoices, skipped_lines


def gz_csv(path, header, rows):
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(text.getvalue().encode("utf-8"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_source = os.path.join(here, "..", "..", "..", "shared", "data", "online-retail-uci.csv.gz")
    source = sys.argv[1] if len(sys.argv) > 1 else default_source
    out = sys.argv[2] if len(sys.argv) > 2 else here
    invoices, skipped = read_invoices(source)

    # Per customer: first invoice (time, then number) decides the country and the signup day.
    first = {}
    last_purchase = {}
    for number, (customer, ts, country, total) in invoices.items():
        key = (ts, number)
        if customer not in first or key < first[customer][0]:
            first[customer] = (key, country)
        if total > 0 and (customer not in last_purchase or ts > last_purchase[customer]):
            last_purchase[customer] = ts

    cents = decimal.Decimal("0.01")
    transactions = collections.defaultdict(list)
    for number in sorted(invoices, key=lambda n: (invoices[n][0], invoices[n][1], n)):
        customer, ts, _, total = invoices[number]
        partner = partner_of(first[customer][1])
        amount = int((total * 100).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_EVEN))
        category = "cancellation" if number.startswith("C") else "order"
        transactions[partner].append((customer, ts, amount, "GBP", "online", category))

    customers = collections.defaultdict(list)
    consent = collections.defaultdict(list)
    churn_cut = LAST_DAY - datetime.timedelta(days=CHURN_DAYS)
    for customer in sorted(first, key=lambda c: (len(c), c)):
        (signup_ts, _), country = first[customer]
        partner = partner_of(country)
        signup = signup_ts[:10]
        last = last_purchase.get(customer)
        last_day = datetime.date.fromisoformat(last[:10]) if last else datetime.date.fromisoformat(signup)
        churned = last_day <= churn_cut
        churn_date = (last_day + datetime.timedelta(days=CHURN_DAYS)).isoformat() if churned else ""
        customers[partner].append((customer, signup, country, "online", 1 if churned else 0, churn_date))
        for purpose, wanted in CONSENT_SHARE.items():
            if share(purpose, customer) < wanted:
                consent[partner].append((customer, purpose, "grant", signup_ts, "web-form", POLICY_VERSION))

    os.makedirs(out, exist_ok=True)
    for partner in PARTNERS:
        prefix = os.path.join(out, f"uci-{partner}")
        gz_csv(f"{prefix}-customers.csv.gz",
               ["customer_id", "signup_date", "region", "primary_channel", "churned", "churn_date"], customers[partner])
        gz_csv(f"{prefix}-transactions.csv.gz",
               ["customer_id", "ts", "amount_minor", "currency", "channel", "category"], transactions[partner])
        gz_csv(f"{prefix}-consent.csv.gz",
               ["customer_id", "purpose", "action", "at", "method", "policy_version"], consent[partner])
        revenue = sum(row[2] for row in transactions[partner])
        churned = sum(row[4] for row in customers[partner])
        print(f"{partner}: {len(customers[partner])} customers ({churned} churned), "
              f"{len(transactions[partner])} invoices, net £{revenue / 100:,.2f}, {len(consent[partner])} consent grants")
    print(f"skipped {skipped} lines without a CustomerID")


if __name__ == "__main__":
    main()

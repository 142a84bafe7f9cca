/// ISO 4217 currency codes and their minor-unit exponents (the number of decimal digits of the
/// minor unit: 2 for EUR, 0 for JPY, 3 for KWD), for mapped imports and currency conversion.
///
/// The table holds the active codes of ISO 4217 (amendments up to 2024, including fund codes such
/// as CHE/CLF and the newest ZWG/XCG); precious-metal and testing codes (XAU, XTS, XXX …) have
/// no minor unit and are not accepted.
public enum CurrencyTable {
    private static let exponent0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
    private static let exponent3 = "BHD IQD JOD KWD LYD OMR TND"
    private static let exponent4 = "CLF UYW"
    private static let exponent2 = """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
        CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
        GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD \
        LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN \
        PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL \
        THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL
        """

    /// Every accepted code with its exponent.
    public static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        for (codes, exponent) in [(exponent0, 0), (exponent2, 2), (exponent3, 3), (exponent4, 4)] {
            for code in codes.split(separator: " ") { table[String(code)] = exponent }
        }
        return table
    }()

    /// The minor-unit exponent of `code`, or nil if it is not an ISO 4217 currency with a minor
    /// unit. O(1).
    public static func exponent(of code: String) -> Int? {
        exponents[code]
    }
}

/// A point for each country, for a database record that has a country but no coordinates
/// (GeoIP2 / GeoLite2 Country): the centre (mean on the sphere) of the cities that tzdata's
/// `zone.tab` names for the country's time zones, in degrees. Derived once from Debian's tzdata
/// (`/usr/share/zoneinfo/zone.tab`, public domain): 247 countries.
enum CountryPoints {
    /// The point of the country with ISO 3166 code `code` (two upper-case letters), if it is known.
    static func point(_ code: String) -> GeoPoint? { table[code] }

    private static let table: [String: GeoPoint] = {
        let words = entries.split(whereSeparator: \.isWhitespace)
        var table: [String: GeoPoint] = [:]
        for start in stride(from: 0, to: words.count - 2, by: 3) {
            guard let latitude = Double(words[start + 1]), let longitude = Double(words[start + 2]),
                  let point = GeoPoint(latitude: latitude, longitude: longitude) else { continue }
            table[String(words[start])] = point
        }
        return table
    }()

    private static let entries = """
        AD 42.5 1.52 AE 25.3 55.3 AF 34.52 69.2 AG 17.05 -61.8 AI 18.2 -63.07 AL 41.33 19.83 AM 40.18 44.5
        AO -8.8 13.23 AQ -82.9 67.05 AR -33.63 -65.9 AS -14.27 -170.7 AT 48.22 16.33 AU -33.22 142.78
        AW 12.5 -69.97 AX 60.1 19.95 AZ 40.38 49.85 BA 43.87 18.42 BB 13.1 -59.62 BD 23.72 90.42
        BE 50.83 4.33 BF 12.37 -1.52 BG 42.68 23.32 BH 26.38 50.58 BI -3.38 29.37 BJ 6.48 2.62
        BL 17.88 -62.85 BM 32.28 -64.77 BN 4.93 114.92 BO -16.5 -68.15 BQ 12.15 -68.28 BR -8.58 -50.71
        BS 25.08 -77.35 BT 27.47 89.65 BW -24.65 25.92 BY 53.9 27.57 BZ 17.5 -88.2 CA 57.9 -93.31
        CC -12.17 96.92 CD -8.03 21.33 CF 4.37 18.58 CG -4.27 15.28 CH 47.38 8.53 CI 5.32 -4.03
        CK -21.23 -159.77 CL -41.15 -82.2 CM 4.05 9.7 CN 38.74 106 CO 4.6 -74.08 CR 9.93 -84.08
        CU 23.13 -82.37 CV 14.92 -23.52 CW 12.18 -69 CX -10.42 105.72 CY 35.14 33.66 CZ 50.08 14.43
        DE 50.12 10.91 DJ 11.6 43.15 DK 55.67 12.58 DM 15.3 -61.4 DO 18.47 -69.9 DZ 36.78 3.05
        EC -1.54 -84.72 EE 59.42 24.75 EG 30.05 31.25 EH 27.15 -13.2 ER 15.33 38.88 ES 34.91 -8.43
        ET 9.03 38.7 FI 60.17 24.97 FJ -18.13 178.42 FK -51.7 -57.85 FM 6.59 157.67 FO 62.02 -6.77
        FR 48.87 2.33 GA 0.38 9.45 GB 51.51 -0.13 GD 12.05 -61.75 GE 41.72 44.82 GF 4.93 -52.33
        GG 49.45 -2.54 GH 5.55 -0.22 GI 36.13 -5.35 GL 72.96 -40.68 GM 13.47 -16.65 GN 9.52 -13.72
        GP 16.23 -61.53 GQ 3.75 8.78 GR 37.97 23.72 GS -54.27 -36.53 GT 14.63 -90.52 GU 13.47 144.75
        GW 11.85 -15.58 GY 6.8 -58.17 HK 22.28 114.15 HN 14.1 -87.22 HR 45.8 15.97 HT 18.53 -72.33
        HU 47.5 19.08 ID -3.56 118.98 IE 53.33 -6.25 IL 31.78 35.22 IM 54.15 -4.47 IN 22.53 88.37
        IO -7.33 72.42 IQ 33.35 44.42 IR 35.67 51.43 IS 64.15 -21.85 IT 41.9 12.48 JE 49.18 -2.11
        JM 17.97 -76.79 JO 31.95 35.93 JP 35.65 139.74 KE -1.28 36.82 KG 42.9 74.6 KH 11.55 104.92
        KI 0.17 -172.01 KM -11.68 43.27 KN 17.3 -62.72 KP 39.02 125.75 KR 37.55 126.97 KW 29.33 47.98
        KY 19.3 -81.38 KZ 48.14 59.7 LA 17.97 102.6 LB 33.88 35.5 LC 14.02 -61 LI 47.15 9.52 LK 6.93 79.85
        LR 6.3 -10.78 LS -29.47 27.5 LT 54.68 25.32 LU 49.6 6.15 LV 56.95 24.1 LY 32.9 13.18 MA 33.65 -7.58
        MC 43.7 7.38 MD 47 28.83 ME 42.43 19.27 MF 18.07 -63.08 MG -18.92 47.52 MH 8.12 169.27
        MK 41.98 21.43 ML 12.65 -8 MM 16.78 96.17 MN 48.22 99.27 MO 22.2 113.54 MP 15.2 145.75
        MQ 14.6 -61.08 MR 18.1 -15.95 MS 16.72 -62.22 MT 35.9 14.52 MU -20.17 57.5 MV 4.17 73.5 MW -15.78 35
        MX 25.93 -102.29 MY 2.37 106.02 MZ -25.97 32.58 NA -22.57 17.1 NC -22.27 166.45 NE 13.52 2.12
        NF -29.05 167.97 NG 6.45 3.4 NI 12.15 -86.28 NL 52.37 4.9 NO 59.92 10.75 NP 27.72 85.32
        NR -0.52 166.92 NU -19.02 -169.92 NZ -40.49 178.88 OM 23.6 58.58 PA 8.97 -79.53 PE -12.05 -77.05
        PF -16.65 -141.39 PG -7.88 151.38 PH 14.59 120.97 PK 24.87 67.05 PL 52.25 21 PM 47.05 -56.33
        PN -25.07 -130.08 PR 18.47 -66.11 PS 31.52 34.78 PT 36.55 -17.26 PW 7.33 134.48 PY -25.27 -57.67
        QA 25.28 51.53 RE -20.87 55.47 RO 44.43 26.1 RS 44.83 20.5 RU 62.97 90.49 RW -1.95 30.07
        SA 24.63 46.72 SB -9.53 160.2 SC -4.67 55.47 SD 15.6 32.53 SE 59.33 18.05 SG 1.28 103.85
        SH -15.92 -5.7 SI 46.05 14.52 SJ 78 16 SK 48.15 17.12 SL 8.5 -13.25 SM 43.92 12.47 SN 14.67 -17.43
        SO 2.07 45.37 SR 5.83 -55.17 SS 4.85 31.62 ST 0.33 6.73 SV 13.7 -89.2 SX 18.05 -63.05 SY 33.5 36.3
        SZ -26.3 31.1 TC 21.47 -71.13 TD 12.12 15.05 TF -49.35 70.22 TG 6.13 1.22 TH 13.75 100.52
        TJ 38.58 68.8 TK -9.37 -171.23 TL -8.55 125.58 TM 37.95 58.38 TN 36.8 10.18 TO -21.13 -175.2
        TR 41.02 28.97 TT 10.65 -61.52 TV -8.52 179.22 TW 25.05 121.5 TZ -6.8 39.28 UA 47.71 32.4
        UG 0.32 32.42 UM 23.96 174.35 US 47.28 -104.48 UY -34.91 -56.21 UZ 40.51 68.03 VA 41.9 12.45
        VC 13.15 -61.23 VE 10.5 -66.93 VG 18.45 -64.62 VI 18.35 -64.93 VN 10.75 106.67 VU -17.67 168.42
        WF -13.3 -176.17 WS -13.83 -171.73 YE 12.75 45.2 YT -12.78 45.23 ZA -26.25 28 ZM -15.42 28.28
        ZW -17.83 31.05
        """
}

"""Word lists for the synthetic data: people's names, places, units, jobs.

Weights are relative. Family-name weights follow the commonly cited shares (Nguyễn about
38 %, then Trần, Lê, Phạm …); southern provinces use Huỳnh and Võ where the north says
Hoàng and Vũ. Everything here is plain data; `generator` does the drawing.
"""

from __future__ import annotations

# -- people ------------------------------------------------------------------------------

FAMILY_NAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Hoàng", 3.4),
    ("Huỳnh", 1.7), ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 1.9), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.6),
    ("Trịnh", 0.5), ("Đào", 0.5), ("Mai", 0.4), ("Lương", 0.4), ("Trương", 0.5), ("Hà", 0.4),
    ("Lâm", 0.3), ("Cao", 0.3), ("Phùng", 0.2), ("Tạ", 0.2), ("Lưu", 0.2), ("Chu", 0.2),
    ("Tô", 0.2), ("Thái", 0.2), ("Kiều", 0.1), ("Quách", 0.1), ("Triệu", 0.1), ("Mạc", 0.1),
    ("Tăng", 0.1), ("Lò", 0.1), ("Nông", 0.1), ("Vi", 0.05), ("Khúc", 0.05), ("Doãn", 0.05),
    ("Âu", 0.05), ("La", 0.05), ("Hầu", 0.03),
]  # fmt: skip
# In the south and the south-central coast.
SOUTHERN_SWAP = {"Hoàng": 0.4, "Huỳnh": 2.5, "Vũ": 0.3, "Võ": 2.5}

MIDDLE_MALE: list[tuple[str, float]] = [
    ("Văn", 30), ("Đức", 7), ("Minh", 7), ("Hữu", 5), ("Quang", 5), ("Công", 4),
    ("Thành", 4), ("Xuân", 4), ("Ngọc", 3), ("Đình", 4), ("Trọng", 3), ("Quốc", 3),
    ("Mạnh", 2), ("Tuấn", 2), ("Anh", 2), ("Gia", 2), ("Hoàng", 2), ("Bá", 2), ("Thanh", 3),
    ("Duy", 2), ("Tiến", 2), ("Việt", 2), ("Hải", 2), ("Trung", 2), ("Thế", 2), ("Kim", 1),
    ("Huy", 1), ("Khắc", 1), ("Nhật", 1), ("Bảo", 1),
]  # fmt: skip
MIDDLE_FEMALE: list[tuple[str, float]] = [
    ("Thị", 42), ("Thu", 6), ("Ngọc", 6), ("Thanh", 5), ("Minh", 3), ("Phương", 3),
    ("Hồng", 3), ("Thùy", 3), ("Kim", 3), ("Mai", 2), ("Bích", 2), ("Hải", 2), ("Quỳnh", 2),
    ("Diệu", 1), ("Khánh", 2), ("Lan", 1), ("Thảo", 1), ("Mỹ", 2), ("Bảo", 1), ("Hoài", 1),
    ("Thị Thu", 3), ("Thị Ngọc", 2), ("Thị Thanh", 2), ("Thị Kim", 2), ("Thị Hồng", 1),
    ("Thị Minh", 1), ("Vân", 1), ("Tuyết", 1),
]  # fmt: skip

GIVEN_MALE = [
    "Anh", "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Long", "Thắng", "Cường", "Hưng",
    "Quân", "Sơn", "Tùng", "Trung", "Hiếu", "Đức", "Huy", "Khánh", "Phong", "Thành", "Tài",
    "Toàn", "Vinh", "Việt", "Bình", "Công", "Định", "Giang", "Hiệp", "Hòa", "Hoàng", "Khoa",
    "Kiên", "Lâm", "Lợi", "Lực", "Mạnh", "Nghĩa", "Phúc", "Quang", "Quý", "Tâm", "Thái",
    "Thịnh", "Tiến", "Trọng", "Trường", "Tú", "Vũ", "Duy", "Đạt", "Đông", "Hậu", "Hiển",
    "Lộc", "Luân", "Nhân", "Phát", "Phương", "Quyết", "Sang", "Thanh", "Thuận", "Tín",
    "Vương", "Bảo", "Chiến", "Cảnh", "Chung", "Dương", "Hào", "Kỳ", "Linh", "Ninh", "Sỹ",
    "Thạch", "Thông", "Tráng", "Tuệ", "Vỹ", "Khải", "Hoàn", "Đăng", "Nguyên",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Hoa", "Hương", "Hằng", "Hà", "Lan", "Linh", "Mai", "Ngọc", "Nhung", "Oanh",
    "Phương", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Hạnh", "Hiền", "Huyền", "Lệ",
    "Liên", "Loan", "Ly", "Minh", "My", "Nga", "Ngân", "Nhàn", "Nhi", "Quyên", "Quỳnh", "Sen",
    "Tâm", "Thanh", "Thơm", "Thu", "Thúy", "Thư", "Trâm", "Uyên", "Vy", "Xuân", "Dung",
    "Duyên", "Giang", "Hồng", "Huệ", "Khánh", "Nguyệt", "Phượng", "Tình", "Chi", "Diệp",
    "Đào", "Hậu", "Lài", "Lụa", "Mơ", "Nhài", "Nhị", "Quế", "Tươi", "Vui", "Hảo", "Hậu",
    "Lam", "Loan", "Ngoan", "Thắm", "Thoa", "Trinh", "Vinh", "Bích", "Châu", "Diễm", "Gấm",
]  # fmt: skip

# Vietnamese mobile prefixes (Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile).
PHONE_PREFIXES = [
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
    "088", "091", "094", "081", "082", "083", "084", "085",
    "089", "090", "093", "070", "076", "077", "078", "079",
    "092", "056", "058", "099", "059",
]  # fmt: skip
# Reserved example domains (RFC 2606): a demo server must never mail a real person.
EMAIL_DOMAINS = [("example.com", 6), ("example.net", 2), ("example.org", 1)]

# -- provinces after the 2025 merger ---------------------------------------------------

# (code, name, is a centrally governed city, region N/C/S, weight, industrial share)
PROVINCES: list[tuple[str, str, bool, str, float, float]] = [
    ("HN", "Hà Nội", True, "N", 10.0, 0.30),
    ("HUE", "Huế", True, "C", 1.4, 0.15),
    ("LCH", "Lai Châu", False, "N", 0.5, 0.05),
    ("DB", "Điện Biên", False, "N", 0.6, 0.05),
    ("SL", "Sơn La", False, "N", 1.0, 0.08),
    ("LS", "Lạng Sơn", False, "N", 0.8, 0.10),
    ("QNI", "Quảng Ninh", False, "N", 1.8, 0.25),
    ("TH", "Thanh Hóa", False, "N", 3.8, 0.25),
    ("NA", "Nghệ An", False, "C", 3.4, 0.20),
    ("HT", "Hà Tĩnh", False, "C", 1.3, 0.20),
    ("CB", "Cao Bằng", False, "N", 0.6, 0.05),
    ("TQ", "Tuyên Quang", False, "N", 1.6, 0.10),
    ("LCA", "Lào Cai", False, "N", 1.6, 0.12),
    ("TN", "Thái Nguyên", False, "N", 1.9, 0.30),
    ("PT", "Phú Thọ", False, "N", 4.0, 0.30),
    ("BN", "Bắc Ninh", False, "N", 3.8, 0.45),
    ("HY", "Hưng Yên", False, "N", 3.2, 0.35),
    ("HP", "Hải Phòng", True, "N", 4.0, 0.40),
    ("NB", "Ninh Bình", False, "N", 3.6, 0.25),
    ("QT", "Quảng Trị", False, "C", 1.6, 0.12),
    ("DNA", "Đà Nẵng", True, "C", 3.0, 0.30),
    ("QNG", "Quảng Ngãi", False, "C", 2.0, 0.20),
    ("GL", "Gia Lai", False, "C", 3.0, 0.12),
    ("KH", "Khánh Hòa", False, "C", 2.0, 0.20),
    ("LD", "Lâm Đồng", False, "C", 3.2, 0.15),
    ("DLK", "Đắk Lắk", False, "C", 3.0, 0.10),
    ("HCM", "Hồ Chí Minh", True, "S", 14.0, 0.45),
    ("DNI", "Đồng Nai", False, "S", 4.0, 0.50),
    ("TNI", "Tây Ninh", False, "S", 3.0, 0.40),
    ("CT", "Cần Thơ", True, "S", 3.2, 0.20),
    ("VL", "Vĩnh Long", False, "S", 3.4, 0.15),
    ("DT", "Đồng Tháp", False, "S", 3.4, 0.15),
    ("CM", "Cà Mau", False, "S", 2.0, 0.12),
    ("AG", "An Giang", False, "S", 3.8, 0.15),
]

# Economic zones with their own upper-level union, by province code.
ECONOMIC_ZONES: dict[str, list[str]] = {
    "TH": ["Nghi Sơn"],
    "NA": ["Đông Nam Nghệ An"],
    "HT": ["Vũng Áng"],
    "QNG": ["Dung Quất"],
    "DNA": ["Chu Lai"],
    "HUE": ["Chân Mây - Lăng Cô"],
    "KH": ["Vân Phong"],
    "HP": ["Đình Vũ - Cát Hải"],
    "QNI": ["Vân Đồn"],
}

# A few real wards of Thanh Hóa after 07/2025, used first there.
KNOWN_WARDS: dict[str, list[str]] = {
    "TH": [
        "Hạc Thành", "Quảng Phú", "Đông Quang", "Đông Sơn", "Đông Tiến", "Hàm Rồng",
        "Nguyệt Viên", "Sầm Sơn", "Nam Sầm Sơn", "Bỉm Sơn", "Quang Trung", "Ngọc Sơn",
        "Tân Dân", "Hải Lĩnh", "Tĩnh Gia", "Đào Duy Từ", "Hải Bình", "Trúc Lâm", "Nghi Sơn",
    ],
}  # fmt: skip

# Syllables that make plausible commune names ("Quảng Phú", "Thiệu Hóa", "Yên Định").
PLACE_FIRST = [
    "Quảng", "Hoằng", "Thiệu", "Yên", "Thọ", "Xuân", "Vĩnh", "Hà", "Nga", "Hậu", "Triệu",
    "Nông", "Cẩm", "Thạch", "Ngọc", "Như", "Thường", "Lang", "Minh", "Tân", "Phú", "An",
    "Bình", "Hòa", "Đông", "Tây", "Nam", "Bắc", "Trung", "Long", "Thanh", "Hưng", "Mỹ",
    "Đức", "Kim", "Hải", "Hồng", "Lam", "Định", "Phúc", "Thuận", "Thái", "Đại", "Vạn",
    "Cát", "Hiệp", "Hợp", "Lạc", "Gia", "Tiên", "Nghĩa", "Quang", "Trường", "Văn", "Bảo",
]  # fmt: skip
PLACE_SECOND = [
    "Phú", "Hóa", "Định", "Thành", "Sơn", "Lộc", "Hưng", "Thịnh", "Yên", "Bình", "An",
    "Hòa", "Lợi", "Tiến", "Thắng", "Lâm", "Giang", "Hải", "Trung", "Xuân", "Phong", "Khê",
    "Điền", "Quang", "Tân", "Vinh", "Long", "Đông", "Thuận", "Nghĩa", "Lĩnh", "Châu", "Hà",
    "Mỹ", "Phước", "Đức", "Hiệp", "Thủy", "Cường", "Tường", "Trạch", "Liên", "Kim", "Hồng",
]  # fmt: skip

# Names schools and streets are given after.
NOTABLE_PEOPLE = [
    "Lê Lợi", "Lê Quý Đôn", "Nguyễn Trãi", "Trần Phú", "Chu Văn An", "Lam Sơn",
    "Đào Duy Từ", "Hàm Rồng", "Nguyễn Du", "Trần Hưng Đạo", "Lý Thường Kiệt", "Quang Trung",
    "Nguyễn Huệ", "Hai Bà Trưng", "Lê Hồng Phong", "Phan Bội Châu", "Võ Thị Sáu",
    "Nguyễn Thị Minh Khai", "Hoàng Hoa Thám", "Triệu Thị Trinh", "Lê Văn Hưu",
    "Đặng Thai Mai", "Tô Hiến Thành", "Nguyễn Bỉnh Khiêm", "Lương Thế Vinh", "Bà Triệu",
    "Tống Duy Tân", "Cầm Bá Thước", "Nguyễn Mộng Tuân", "Hà Văn Mao",
]  # fmt: skip

# -- units ------------------------------------------------------------------------------

# (code, name without "Công đoàn ", short name, profile of its grassroots, upper templates,
#  grassroots templates). {place} is a province name, {n} a number.
SECTORS: list[tuple[str, str, str, str, list[str], list[str]]] = [
    ("CDGD", "Giáo dục Việt Nam", "CĐ Giáo dục", "university",
     ["Đại học Quốc gia khu vực {n}", "Đại học vùng {place}"],
     ["Trường Đại học Sư phạm {place}", "Trường Cao đẳng Sư phạm {place}",
      "Trường Đại học Kỹ thuật {place}"]),
    ("CDYT", "Y tế Việt Nam", "CĐ Y tế", "hospital",
     ["Cục Quản lý Khám chữa bệnh khu vực {n}"],
     ["Bệnh viện Trung ương {place}", "Viện Vệ sinh Dịch tễ {place}",
      "Bệnh viện Đa khoa Trung ương {place}"]),
    ("CDCTH", "Công Thương Việt Nam", "CĐ Công Thương", "factory",
     ["Tổng công ty Thương mại {place}", "Tổng công ty Máy động lực {n}"],
     ["Công ty CP Cơ khí {place}", "Công ty TNHH MTV Hóa chất {place}"]),
    ("CDXD", "Xây dựng Việt Nam", "CĐ Xây dựng", "construction",
     ["Tổng công ty Xây dựng số {n}", "Tổng công ty Vật liệu Xây dựng số {n}"],
     ["Công ty CP Xây dựng {place}", "Công ty CP Xi măng {place}"]),
    ("CDGTVT", "Giao thông Vận tải Việt Nam", "CĐ GTVT", "transport",
     ["Tổng công ty Xây dựng Công trình Giao thông {n}"],
     ["Công ty CP Quản lý Đường bộ {place}", "Công ty CP Vận tải {place}"]),
    ("CDNNMT", "Nông nghiệp và Môi trường Việt Nam", "CĐ NN&MT", "agriculture",
     ["Tổng công ty Lâm nghiệp {n}"],
     ["Công ty TNHH MTV Lâm nghiệp {place}", "Trung tâm Khí tượng Thủy văn {place}"]),
    ("CDDM", "Dệt May Việt Nam", "CĐ Dệt May", "garment",
     ["Tổng công ty May {n}"],
     ["Công ty CP May {place}", "Công ty CP Dệt {place}"]),
    ("CDDK", "Dầu khí Việt Nam", "CĐ Dầu khí", "oil",
     ["Tổng công ty Khoan và Dịch vụ Khoan Dầu khí {n}", "Tổng công ty Khí {place}"],
     ["Công ty Điều hành Dầu khí {place}", "Xí nghiệp Dịch vụ Kỹ thuật Dầu khí {place}"]),
    ("CDDL", "Điện lực Việt Nam", "CĐ Điện lực", "electricity",
     ["Tổng công ty Điện lực miền Bắc", "Tổng công ty Điện lực miền Trung",
      "Tổng công ty Điện lực miền Nam", "Tổng công ty Truyền tải điện Quốc gia"],
     ["Công ty Điện lực {place}", "Công ty Truyền tải điện {place}"]),
    ("CDDS", "Đường sắt Việt Nam", "CĐ Đường sắt", "railway",
     ["Công ty CP Vận tải Đường sắt {n}"],
     ["Xí nghiệp Đầu máy {place}", "Công ty CP Đường sắt {place}", "Ga {place}"]),
    ("CDHK", "Hàng không Việt Nam", "CĐ Hàng không", "aviation",
     ["Tổng công ty Cảng hàng không {n}"],
     ["Cảng Hàng không {place}", "Công ty Dịch vụ Mặt đất {place}"]),
    ("CDBD", "Bưu điện Việt Nam", "CĐ Bưu điện", "post",
     ["Tổng công ty Bưu điện khu vực {n}"],
     ["Bưu điện tỉnh {place}", "Trung tâm Khai thác Vận chuyển {place}"]),
    ("CDCS", "Cao su Việt Nam", "CĐ Cao su", "rubber",
     ["Tổng công ty Cao su {place}"],
     ["Công ty TNHH MTV Cao su {place}", "Nông trường Cao su {place}"]),
    ("CDTKV", "Than - Khoáng sản Việt Nam", "CĐ TKV", "mining",
     ["Tổng công ty Khoáng sản {n}"],
     ["Công ty Than {place}", "Công ty CP Khoáng sản {place}"]),
    ("CDNH", "Ngân hàng Việt Nam", "CĐ Ngân hàng", "bank",
     ["Ngân hàng Thương mại CP khu vực {n}"],
     ["Chi nhánh Ngân hàng Nông nghiệp {place}", "Chi nhánh Ngân hàng Công Thương {place}"]),
    ("CDVC", "Viên chức Việt Nam", "CĐ Viên chức", "office",
     ["Khối cơ quan Trung ương số {n}"],
     ["Viện Nghiên cứu {place}", "Trung tâm Lưu trữ {place}"]),
    ("CDHH", "Hàng hải Việt Nam", "CĐ Hàng hải", "port",
     ["Tổng công ty Hàng hải {n}"],
     ["Công ty CP Cảng {place}", "Công ty Hoa tiêu {place}"]),
    ("CDQP", "Quốc phòng", "CĐ Quốc phòng", "factory",
     ["Tổng công ty Quốc phòng {n}"],
     ["Nhà máy Z{n}", "Công ty TNHH MTV Cơ khí {place}"]),
    ("CDCAND", "Công an nhân dân", "CĐ CAND", "office",
     ["Khối doanh nghiệp Công an {n}"],
     ["Công ty In {place}", "Bệnh viện Công an {place}"]),
    ("CDVTL", "Tập đoàn Công nghiệp - Viễn thông Quân đội", "CĐ Viettel", "telecom",
     ["Tổng công ty Viễn thông {n}"],
     ["Chi nhánh Viễn thông {place}", "Trung tâm Kỹ thuật {place}"]),
]  # fmt: skip

LEGAL_FORMS = [
    ("Công ty TNHH", 5), ("Công ty CP", 4), ("Công ty TNHH MTV", 2), ("Công ty TNHH", 1),
]  # fmt: skip
GARMENT_TRADES = ["May", "Giày", "Dệt", "May mặc", "Giày da", "Túi xách", "Dệt may"]
FACTORY_TRADES = [
    "Cơ khí", "Điện tử", "Xi măng", "Thực phẩm", "Nhựa", "Bao bì", "Gỗ", "Thủy sản",
    "Chế biến Nông sản", "Dược phẩm", "Linh kiện Điện tử", "Thép", "Phân bón", "Đồ uống",
    "Gạch men", "Sợi", "Chế biến Gỗ", "Kính", "Cáp điện", "Ô tô",
]  # fmt: skip
SMALL_TRADES = [
    "Xây dựng", "Thương mại", "Vận tải", "Du lịch", "Dịch vụ", "Tư vấn Xây dựng",
    "Thương mại và Dịch vụ", "Môi trường Đô thị", "Cấp nước", "In", "Xăng dầu",
    "Đầu tư và Phát triển", "Vật tư Nông nghiệp", "Khách sạn",
]  # fmt: skip
BRANDS = [
    "Annora", "Sao Vàng", "Hoàng Long", "Minh Phát", "Đại Dương", "Phú Gia", "Thành Công",
    "An Phát", "Việt Hưng", "Hòa Bình", "Trường Sơn", "Hồng Hà", "Veston", "Sunrise",
    "Golden Star", "Pacific", "Evergreen", "Lotus", "Orient", "Kaizen", "Tân Tiến",
    "Đông Á", "Nam Việt", "Hưng Thịnh", "Phúc Lộc", "Thiên Long", "Vạn Xuân", "Rạng Đông",
    "Bình Minh", "Ánh Dương", "Sông Mã", "Lam Kinh", "Hải Âu", "Kim Ngân", "Trí Đức",
    "Yên Bình", "Hanvico", "Sakura Việt", "Everwin", "Mekong Star", "Global Tex",
    "Delta Shoes", "Sonata", "Tiến Thành", "Quang Minh", "Đức Anh", "An Khang", "Tín Nghĩa",
]  # fmt: skip

# -- jobs by kind of unit ------------------------------------------------------------------

# profile: (positions with weights, share of women)
PROFILES: dict[str, tuple[list[tuple[str, float]], float]] = {
    "garment": ([
        ("Công nhân may", 60), ("Công nhân cắt", 6), ("Công nhân hoàn thiện", 6),
        ("Tổ trưởng sản xuất", 4), ("Kiểm hàng (QC)", 5), ("Kỹ thuật viên chuyền", 3),
        ("Thủ kho", 1), ("Kế toán", 1), ("Nhân viên văn phòng", 2), ("Quản đốc phân xưởng", 0.5),
        ("Công nhân là", 4), ("Công nhân đóng gói", 4), ("Thợ sửa máy", 1.5),
    ], 0.8),
    "factory": ([
        ("Công nhân vận hành máy", 35), ("Công nhân cơ khí", 12), ("Kỹ sư", 6),
        ("Kỹ thuật viên điện", 5), ("Công nhân lắp ráp", 15), ("Lái xe", 3), ("Kế toán", 2),
        ("Thủ kho", 2), ("Tổ trưởng sản xuất", 4), ("Kiểm tra chất lượng (QC)", 4),
        ("Nhân viên văn phòng", 3), ("Công nhân bốc xếp", 4), ("Quản đốc phân xưởng", 1),
    ], 0.45),
    "company": ([
        ("Nhân viên kinh doanh", 15), ("Kế toán", 8), ("Kỹ sư xây dựng", 8), ("Lái xe", 8),
        ("Nhân viên văn phòng", 10), ("Thủ quỹ", 2), ("Công nhân", 25), ("Thủ kho", 3),
        ("Nhân viên kỹ thuật", 8), ("Bảo vệ", 4), ("Nhân viên hành chính", 5),
        ("Trưởng phòng", 2), ("Giám đốc", 1),
    ], 0.4),
    "construction": ([
        ("Kỹ sư xây dựng", 15), ("Công nhân xây dựng", 45), ("Thợ hàn", 8), ("Lái máy xúc", 6),
        ("Kế toán", 4), ("Giám sát thi công", 6), ("Nhân viên văn phòng", 5), ("Thủ kho", 3),
        ("Thợ điện", 6), ("Chỉ huy trưởng công trình", 2),
    ], 0.2),
    "school_mn": ([
        ("Giáo viên mầm non", 78), ("Cô nuôi", 8), ("Nhân viên kế toán", 3),
        ("Nhân viên y tế", 2), ("Bảo vệ", 3), ("Hiệu trưởng", 2), ("Phó hiệu trưởng", 3),
        ("Nhân viên văn thư", 1),
    ], 0.97),
    "school": ([
        ("Giáo viên", 80), ("Nhân viên kế toán", 3), ("Nhân viên thư viện", 2),
        ("Nhân viên y tế học đường", 2), ("Bảo vệ", 3), ("Hiệu trưởng", 2),
        ("Phó hiệu trưởng", 3), ("Nhân viên văn thư", 2), ("Nhân viên thiết bị", 2),
    ], 0.72),
    "health_station": ([
        ("Bác sĩ", 15), ("Y sĩ", 25), ("Điều dưỡng", 25), ("Nữ hộ sinh", 15), ("Dược sĩ", 12),
        ("Trạm trưởng", 8),
    ], 0.7),
    "hospital": ([
        ("Bác sĩ", 22), ("Điều dưỡng", 40), ("Kỹ thuật viên xét nghiệm", 7), ("Dược sĩ", 5),
        ("Hộ lý", 8), ("Kế toán", 3), ("Nhân viên hành chính", 5), ("Kỹ thuật viên hình ảnh", 4),
        ("Nữ hộ sinh", 4), ("Bảo vệ", 2),
    ], 0.65),
    "office": ([
        ("Chuyên viên", 45), ("Công chức địa chính", 8), ("Công chức văn phòng - thống kê", 8),
        ("Công chức tư pháp - hộ tịch", 6), ("Kế toán", 6), ("Văn thư", 6), ("Lái xe", 4),
        ("Công chức văn hóa - xã hội", 8), ("Trưởng phòng", 5), ("Phó trưởng phòng", 4),
    ], 0.5),
    "coop": ([
        ("Xã viên", 70), ("Kỹ thuật viên nông nghiệp", 10), ("Kế toán", 5), ("Thủ quỹ", 5),
        ("Giám đốc hợp tác xã", 3), ("Cán bộ kỹ thuật", 7),
    ], 0.45),
    "university": ([
        ("Giảng viên", 60), ("Chuyên viên", 20), ("Kế toán", 4),
        ("Kỹ thuật viên phòng thí nghiệm", 6),
        ("Nhân viên thư viện", 4), ("Trưởng khoa", 3), ("Bảo vệ", 3),
    ], 0.55),
    "transport": ([
        ("Lái xe", 35), ("Phụ xe", 10), ("Công nhân duy tu đường bộ", 25), ("Kỹ sư cầu đường", 10),
        ("Kế toán", 5), ("Nhân viên điều độ", 8), ("Thợ sửa chữa ô tô", 7),
    ], 0.2),
    "agriculture": ([
        ("Công nhân lâm nghiệp", 45), ("Kỹ sư lâm nghiệp", 12), ("Quan trắc viên", 10),
        ("Kế toán", 5), ("Bảo vệ rừng", 20), ("Nhân viên văn phòng", 8),
    ], 0.35),
    "oil": ([
        ("Kỹ sư khoan", 20), ("Công nhân vận hành giàn khoan", 30), ("Kỹ sư hóa dầu", 12),
        ("Thợ lặn", 3), ("Kỹ thuật viên an toàn", 10), ("Kế toán", 5), ("Chuyên viên", 20),
    ], 0.15),
    "electricity": ([
        ("Kỹ sư điện", 20), ("Công nhân vận hành lưới điện", 30),
        ("Công nhân sửa chữa đường dây", 20), ("Nhân viên kinh doanh điện", 10),
        ("Kế toán", 5), ("Nhân viên ghi chỉ số", 10), ("Trưởng phòng", 5),
    ], 0.2),
    "railway": ([
        ("Lái tàu", 15), ("Phụ lái tàu", 10), ("Trưởng tàu", 5), ("Nhân viên gác chắn", 15),
        ("Công nhân duy tu đường sắt", 30), ("Nhân viên bán vé", 10), ("Điều độ chạy tàu", 8),
        ("Kế toán", 3), ("Trực ban chạy tàu", 4),
    ], 0.25),
    "aviation": ([
        ("Tiếp viên hàng không", 20), ("Kỹ sư bảo dưỡng tàu bay", 15), ("Nhân viên mặt đất", 35),
        ("Kiểm soát viên không lưu", 10), ("Nhân viên an ninh hàng không", 15), ("Kế toán", 5),
    ], 0.45),
    "post": ([
        ("Bưu tá", 45), ("Giao dịch viên", 30), ("Nhân viên khai thác", 15), ("Kế toán", 5),
        ("Lái xe", 5),
    ], 0.5),
    "rubber": ([
        ("Công nhân cạo mủ", 70), ("Đội trưởng sản xuất", 5), ("Công nhân chế biến mủ", 15),
        ("Kỹ sư nông nghiệp", 4), ("Kế toán", 3), ("Bảo vệ", 3),
    ], 0.45),
    "mining": ([
        ("Thợ lò", 45), ("Công nhân khai thác", 20), ("Công nhân cơ điện", 12),
        ("Kỹ sư mỏ", 8), ("Lái xe tải mỏ", 8), ("Kế toán", 3), ("Y tá mỏ", 4),
    ], 0.12),
    "bank": ([
        ("Giao dịch viên", 35), ("Cán bộ tín dụng", 30), ("Kiểm soát viên", 10), ("Kế toán", 12),
        ("Thủ quỹ", 5), ("Trưởng phòng", 5), ("Bảo vệ", 3),
    ], 0.6),
    "port": ([
        ("Công nhân bốc xếp", 40), ("Lái cần cẩu", 15), ("Hoa tiêu", 5), ("Thuyền viên", 15),
        ("Nhân viên điều độ", 10), ("Kế toán", 5), ("Kỹ sư", 10),
    ], 0.15),
    "telecom": ([
        ("Kỹ sư viễn thông", 35), ("Nhân viên kỹ thuật", 30), ("Nhân viên kinh doanh", 20),
        ("Kế toán", 5), ("Nhân viên chăm sóc khách hàng", 10),
    ], 0.35),
}  # fmt: skip

"""Words for synthetic initiatives: fields of application, titles built from parts, and the
short texts of the request form (problem, description, conditions, benefit, decisions).

A title is a template whose `{slot}`s are filled from the lists below; a `#` in a filled
part becomes a number, so "tại chuyền may số #" gives many distinct places. Titles of one
grassroots unit are kept distinct (as the duplicate check of the services requires) by
drawing again, then by adding a place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# (code, name) of the fields of application of the national campaign, in display order.
FIELDS: list[tuple[str, str]] = [
    ("KTCN", "Kỹ thuật – công nghệ"),
    ("QLDH", "Quản lý – điều hành"),
    ("TKNL", "Tiết kiệm năng lượng, vật tư"),
    ("ATLD", "An toàn, vệ sinh lao động"),
    ("CDS", "Chuyển đổi số"),
    ("GDDT", "Giáo dục – đào tạo"),
    ("YT", "Y tế – chăm sóc sức khỏe"),
    ("NN", "Nông nghiệp – thủy sản"),
    ("MT", "Bảo vệ môi trường"),
    ("COVID", "Phòng, chống dịch COVID-19"),
]
# The provincial campaign of 2026–2027: the same fields without COVID-19, plus reform of
# administrative procedures.
PROVINCE_FIELDS: list[tuple[str, str]] = [
    *[f for f in FIELDS if f[0] != "COVID"],
    ("CCHC", "Cải cách hành chính"),
]

# Which fields a kind of unit files its initiatives under (weights), by member profile
# (see names.PROFILES).
_INDUSTRY = {"KTCN": 40, "TKNL": 16, "ATLD": 14, "QLDH": 10, "CDS": 8, "COVID": 7, "MT": 5}
_SCHOOL = {"GDDT": 72, "CDS": 12, "QLDH": 6, "COVID": 6, "MT": 4}
_HEALTH = {"YT": 60, "COVID": 14, "CDS": 10, "QLDH": 10, "TKNL": 3, "MT": 3}
_OFFICE = {"QLDH": 44, "CDS": 34, "CCHC": 10, "TKNL": 6, "COVID": 4, "MT": 2}
_FARM = {"NN": 60, "KTCN": 12, "TKNL": 10, "MT": 10, "QLDH": 8}
PROFILE_FIELDS: dict[str, Mapping[str, float]] = {
    "school_mn": _SCHOOL, "school": _SCHOOL, "university": _SCHOOL,
    "health_station": _HEALTH, "hospital": _HEALTH,
    "office": _OFFICE, "bank": _OFFICE, "post": _OFFICE, "telecom": _OFFICE,
    "coop": _FARM, "agriculture": _FARM, "rubber": _FARM,
}  # fmt: skip
DEFAULT_FIELDS = _INDUSTRY

# -- title parts ---------------------------------------------------------------------------

SLOTS: dict[str, list[str]] = {
    "machine": [
        "máy may công nghiệp", "máy ép nhựa", "máy nén khí", "băng tải", "lò hơi",
        "máy cắt CNC", "máy tiện", "máy đóng gói", "máy vắt sổ", "máy dập", "hệ thống thủy lực",
        "máy nghiền", "cầu trục", "dây chuyền sơn", "máy in nhãn", "máy trải vải", "máy là hơi",
        "máy hàn tự động", "máy chiết rót", "máy sấy", "máy khoan cần", "máy mài",
        "xe nâng hàng", "máy đột lỗ", "máy cắt vải tự động", "máy ép nhiệt",
    ],
    "device": [
        "đồ gá", "cữ gá", "bộ gá kẹp nhanh", "thiết bị cấp phôi tự động", "băng chuyền mini",
        "xe đẩy hàng chuyên dụng", "giá để bán thành phẩm", "bộ điều khiển trung tâm",
        "cảm biến báo đầy", "bàn thao tác điều chỉnh độ cao", "bộ chia chỉ", "khuôn ép",
        "thiết bị thu hồi bụi", "bộ đếm sản phẩm", "cơ cấu tự động cắt chỉ", "bộ nạp liệu",
    ],
    "purpose": [
        "nhằm tăng năng suất lao động", "để giảm tỷ lệ hàng lỗi", "giảm thời gian thay khuôn",
        "giảm tiếng ồn", "nâng cao chất lượng đường may", "giảm thao tác thừa",
        "kéo dài tuổi thọ thiết bị", "giảm thời gian dừng máy", "nâng cao độ chính xác gia công",
        "giảm sức lao động của công nhân", "tăng công suất", "ổn định chất lượng sản phẩm",
        "",
    ],
    "line": [
        "tại chuyền may số #", "tại phân xưởng #", "trên dây chuyền lắp ráp số #",
        "tại tổ cơ điện", "ở công đoạn đóng gói", "tại xưởng cơ khí", "tại tổ sản xuất số #",
        "ở công đoạn hoàn thiện", "tại kho nguyên liệu", "tại xưởng cắt", "ở khâu kiểm hàng",
        "tại nhà máy số #", "ở bộ phận bảo trì", "", "", "",
    ],
    "tech": [
        "cảm biến quang", "biến tần", "bộ điều khiển PLC", "công nghệ in 3D",
        "tay máy gắp sản phẩm", "camera kiểm tra lỗi", "hệ thống khí nén", "động cơ servo",
        "công nghệ hàn bán tự động", "mã vạch", "đèn LED", "vật liệu composite",
    ],
    "process": [
        "kiểm tra chất lượng sản phẩm", "cắt vải", "đóng gói thành phẩm",
        "vận chuyển nguyên liệu", "bảo dưỡng thiết bị", "pha chế sơn", "lắp ráp linh kiện",
        "may cổ áo", "xếp dỡ hàng hóa", "vệ sinh công nghiệp", "sấy sản phẩm", "hàn kết cấu thép",
    ],
    "office_work": [
        "quản lý hồ sơ", "tiếp nhận và trả kết quả hồ sơ", "lưu trữ văn bản", "quản lý tài sản",
        "chấm công", "quản lý kho", "theo dõi công nợ", "lập kế hoạch sản xuất",
        "điều độ sản xuất", "quản lý vật tư", "quản lý đoàn viên", "thu kinh phí công đoàn",
        "thanh quyết toán", "quản lý hợp đồng", "đánh giá cán bộ", "theo dõi văn bản đến, đi",
        "quản lý ca trực", "báo cáo thống kê",
    ],
    "office_place": [
        "tại Văn phòng", "tại bộ phận một cửa", "tại phòng Tổ chức – Hành chính",
        "tại phòng Kế toán", "của Ban chấp hành công đoàn", "tại đơn vị", "tại phòng Kế hoạch",
        "tại các tổ sản xuất", "", "", "",
    ],
    "tool": [
        "phần mềm Excel", "bảng tính dùng chung", "phần mềm quản lý văn bản", "mã QR",
        "ứng dụng Zalo", "hộp thư điện tử", "phần mềm kế toán", "hệ thống camera",
        "biểu mẫu trực tuyến", "chữ ký số",
    ],
    "resource": [
        "điện năng", "nước sạch", "vải nguyên liệu", "chỉ may", "nhiên liệu", "khí nén",
        "giấy in", "hơi nước", "nguyên vật liệu", "dầu bôi trơn", "than đá", "xăng dầu",
        "thời gian chạy máy", "hóa chất",
    ],
    "waste": [
        "vải vụn", "nước làm mát", "nhiệt thải lò hơi", "phế liệu nhựa", "bao bì cũ",
        "mùn cưa", "nước mưa", "dầu thải", "gỗ pallet hỏng", "xỉ than",
    ],
    "reuse": [
        "làm nhiên liệu đốt", "sản xuất thành phẩm phụ", "làm vật liệu lót", "tưới cây",
        "sấy nguyên liệu", "đóng gói hàng", "làm mát nhà xưởng",
    ],
    "old_new": [
        "đèn huỳnh quang bằng đèn LED", "động cơ cũ bằng động cơ hiệu suất cao",
        "vòi nước thường bằng vòi cảm ứng", "bình nóng lạnh bằng năng lượng mặt trời",
        "máy nén khí cũ bằng máy có biến tần", "giấy tờ bằng văn bản điện tử",
        "bao bì nhựa bằng bao bì giấy",
    ],
    "safety_device": [
        "thiết bị che chắn an toàn", "cảm biến dừng khẩn cấp", "hệ thống báo cháy",
        "tấm chắn tia lửa hàn", "lan can an toàn", "thiết bị chống kẹt tay",
        "biển báo nguy hiểm phát sáng", "hệ thống hút khói hàn",
        "đai an toàn khi làm việc trên cao",
        "khóa liên động", "cầu dao chống giật",
    ],
    "hazard": [
        "bụi vải", "tiếng ồn", "nhiệt độ nóng", "nguy cơ cháy nổ", "tai nạn kẹt tay",
        "khí độc", "nguy cơ điện giật", "ngã cao", "hơi hóa chất",
    ],
    "safety_work": [
        "kiểm tra an toàn đầu ca", "huấn luyện an toàn cho công nhân mới",
        "xử lý sự cố rò rỉ hóa chất", "sơ cứu tai nạn lao động", "thoát hiểm khi có cháy",
        "vận hành thiết bị nâng", "làm việc trong không gian hạn chế",
    ],
    "software": [
        "phần mềm quản lý", "ứng dụng trên điện thoại", "mã QR", "trí tuệ nhân tạo",
        "chữ ký số", "dữ liệu đám mây", "phần mềm nguồn mở", "hệ thống thông tin địa lý (GIS)",
        "bảng điều khiển trực tuyến",
    ],
    "digital_work": [
        "quản lý đoàn viên công đoàn", "quản lý nhân sự", "chấm công", "quản lý thiết bị",
        "theo dõi tiến độ công việc", "quản lý hồ sơ bệnh án", "quản lý kho vật tư",
        "tra cứu hồ sơ", "tiếp nhận phản ánh của người lao động", "quản lý học sinh",
        "quản lý tài sản công", "báo cáo định kỳ", "theo dõi bảo dưỡng máy móc",
        "quản lý khách hàng", "điều hành họp không giấy",
    ],
    "records": [
        "hồ sơ lưu trữ", "hồ sơ đoàn viên", "sổ sách kế toán", "hồ sơ đất đai",
        "hồ sơ sức khỏe người lao động", "tài liệu kỹ thuật", "biên bản nghiệm thu",
        "hồ sơ học sinh",
    ],
    "teach_goal": [
        "rèn kỹ năng đọc hiểu", "phát triển tư duy toán học", "nâng cao kỹ năng viết văn",
        "giáo dục kỹ năng sống", "rèn chữ viết đẹp", "phát triển ngôn ngữ",
        "phát huy tính tích cực học tập", "giúp học sinh yêu thích môn học",
        "bồi dưỡng học sinh giỏi", "phụ đạo học sinh yếu", "giáo dục an toàn giao thông",
        "phát triển vận động", "hình thành thói quen tự phục vụ",
    ],
    "grade": [
        "lớp 1", "lớp 2", "lớp 3", "lớp 4", "lớp 5", "lớp 6", "lớp 7", "lớp 8", "lớp 9",
        "lớp 10", "lớp 11", "lớp 12", "mẫu giáo 5 – 6 tuổi", "mẫu giáo 4 – 5 tuổi",
        "nhà trẻ 24 – 36 tháng", "dân tộc thiểu số", "tiểu học", "trung học cơ sở",
    ],
    "edu_tool": [
        "bản đồ tư duy", "trò chơi học tập", "bài giảng điện tử", "phương pháp dạy học dự án",
        "phần mềm GeoGebra", "lớp học đảo ngược", "phương pháp bàn tay nặn bột",
        "học liệu số", "phòng học trực tuyến", "phương pháp STEM",
    ],
    "subject": [
        "Toán", "Ngữ văn", "Tiếng Việt", "Tiếng Anh", "Vật lí", "Hóa học", "Sinh học",
        "Lịch sử", "Địa lí", "Tin học", "Công nghệ", "Giáo dục công dân", "Âm nhạc", "Mĩ thuật",
        "Khoa học tự nhiên", "Giáo dục thể chất",
    ],
    "teaching_aid": [
        "đồ dùng dạy học tự làm", "mô hình trực quan", "bộ thẻ học", "góc học tập",
        "bộ thí nghiệm đơn giản", "tranh ảnh minh họa",
    ],
    "edu_obj": [
        "công tác chủ nhiệm lớp", "sinh hoạt chuyên môn", "bán trú", "thư viện thân thiện",
        "dạy học trực tuyến", "ôn thi tốt nghiệp", "giáo dục hòa nhập", "công tác phổ cập",
    ],
    "med_process": [
        "tiếp đón người bệnh", "cấp phát thuốc", "lấy mẫu xét nghiệm", "tiêm chủng",
        "chăm sóc người bệnh sau mổ", "khử khuẩn dụng cụ", "quản lý hồ sơ bệnh án",
        "thanh toán viện phí", "sàng lọc trước sinh", "chăm sóc trẻ sơ sinh",
    ],
    "med_dept": [
        "tại khoa Khám bệnh", "tại khoa Hồi sức cấp cứu", "tại khoa Ngoại", "tại khoa Nhi",
        "tại khoa Xét nghiệm", "tại khoa Dược", "tại trạm y tế", "tại khoa Sản",
        "tại khoa Truyền nhiễm", "", "",
    ],
    "med_tech": [
        "phần mềm quản lý bệnh viện", "hồ sơ sức khỏe điện tử", "siêu âm tại giường",
        "máy theo dõi từ xa", "mã vạch", "tin nhắn nhắc lịch",
    ],
    "med_device": [
        "giá treo dịch truyền di động", "xe tiêm đa năng", "gối kê phẫu thuật",
        "hộp đựng dụng cụ vô khuẩn", "máng đỡ chân bó bột", "đèn soi tĩnh mạch",
    ],
    "agri_tech": [
        "chế phẩm sinh học", "tưới nhỏ giọt", "nhà màng", "công nghệ cao",
        "máy bay không người lái",
        "đệm lót sinh học", "giống lúa chịu hạn", "phân bón hữu cơ vi sinh", "cảm biến độ ẩm",
    ],
    "agri_work": [
        "trồng rau an toàn", "nuôi tôm", "chăn nuôi lợn", "trồng lúa", "nuôi cá lồng",
        "chăm sóc vườn cây", "bảo quản nông sản", "trồng nấm", "phun thuốc bảo vệ thực vật",
        "thu hoạch mủ cao su", "ươm giống cây lâm nghiệp",
    ],
    "agri_tool": [
        "máy gặt", "máy làm đất", "dụng cụ thu hoạch", "lò sấy nông sản", "bể ươm giống",
        "dao cạo mủ", "máy tách hạt",
    ],
    "agri_waste": [
        "rơm rạ", "phân chuồng", "vỏ trấu", "lục bình", "phụ phẩm nông nghiệp", "vỏ cà phê",
    ],
    "agri_product": [
        "phân hữu cơ", "thức ăn chăn nuôi", "chất đốt", "giá thể trồng nấm", "đồ thủ công",
    ],
    "pollutant": [
        "nước thải sản xuất", "khí thải lò hơi", "bụi", "rác thải nhựa", "chất thải rắn",
        "mùi hôi", "chất thải y tế",
    ],
    "covid_work": [
        "tổ chức sản xuất “3 tại chỗ”", "khai báo y tế", "xét nghiệm sàng lọc", "cách ly tạm thời",
        "giãn cách tại nhà ăn", "theo dõi sức khỏe người lao động", "điều trị F0 tại nhà",
        "tiêm vắc xin", "đưa đón công nhân",
    ],
    "covid_device": [
        "buồng khử khuẩn", "vách ngăn bàn ăn", "máy rửa tay tự động", "cổng đo thân nhiệt",
        "khẩu trang vải kháng khuẩn", "máy phun khử khuẩn", "tấm chắn giọt bắn",
    ],
    "admin_work": [
        "giải quyết thủ tục hành chính", "cấp giấy chứng nhận", "tiếp nhận hồ sơ trực tuyến",
        "chứng thực bản sao", "đăng ký hộ tịch", "trả kết quả qua bưu điện",
    ],
    "where": [
        "tại đơn vị", "tại doanh nghiệp", "tại cơ quan", "trong toàn công ty", "tại nhà máy",
        "", "", "", "",
    ],
}  # fmt: skip

# Templates by field. The same template set serves both campaigns.
TEMPLATES: dict[str, list[str]] = {
    "KTCN": [
        "Cải tiến {machine} {purpose} {line}",
        "Chế tạo {device} cho {machine} {line}",
        "Thiết kế, chế tạo {device} {purpose}",
        "Ứng dụng {tech} trong {process} {line}",
        "Cải tạo {machine} {purpose}",
        "Giải pháp tự động hóa khâu {process} {line}",
        "Sáng kiến {device} dùng trong {process}",
        "Cải tiến quy trình {process} {purpose} {line}",
    ],
    "QLDH": [
        "Đổi mới công tác {office_work} {office_place}",
        "Nâng cao hiệu quả {office_work} {office_place}",
        "Giải pháp quản lý {office_work} bằng {tool}",
        "Xây dựng quy trình {office_work} {office_place}",
        "Sắp xếp lại {office_work} theo phương pháp 5S {office_place}",
        "Ứng dụng {tool} trong {office_work}",
    ],
    "TKNL": [
        "Giải pháp tiết kiệm {resource} {line}",
        "Tận dụng {waste} để {reuse} {where}",
        "Thay thế {old_new} {where}",
        "Giải pháp giảm tiêu hao {resource} cho {machine}",
        "Lắp đặt biến tần cho {machine} nhằm tiết kiệm điện năng",
        "Cải tiến {machine} để tiết kiệm {resource}",
    ],
    "ATLD": [
        "Lắp đặt {safety_device} cho {machine}",
        "Cải tiến {safety_device} {line}",
        "Giải pháp giảm {hazard} {line}",
        "Xây dựng quy trình {safety_work} {where}",
        "Chế tạo {safety_device} {purpose}",
    ],
    "CDS": [
        "Ứng dụng {software} trong {digital_work}",
        "Xây dựng phần mềm {digital_work} {office_place}",
        "Số hóa {records} {where}",
        "Sử dụng mã QR trong {digital_work}",
        "Chuyển đổi số công tác {digital_work} {office_place}",
    ],
    "GDDT": [
        "Một số biện pháp {teach_goal} cho học sinh {grade}",
        "Ứng dụng {edu_tool} trong dạy học môn {subject} {grade}",
        "Thiết kế {teaching_aid} môn {subject} {grade}",
        "Giải pháp nâng cao chất lượng {edu_obj}",
        "Kinh nghiệm {teach_goal} cho trẻ {grade}",
        "Sử dụng {edu_tool} để {teach_goal} môn {subject}",
    ],
    "YT": [
        "Cải tiến quy trình {med_process} {med_dept}",
        "Ứng dụng {med_tech} trong {med_process} {med_dept}",
        "Giải pháp rút ngắn thời gian {med_process} {med_dept}",
        "Chế tạo {med_device} {med_dept}",
        "Nâng cao chất lượng {med_process} {med_dept}",
    ],
    "NN": [
        "Ứng dụng {agri_tech} trong {agri_work}",
        "Cải tiến {agri_tool} để nâng cao hiệu quả {agri_work}",
        "Mô hình {agri_work} sử dụng {agri_tech}",
        "Giải pháp xử lý {agri_waste} làm {agri_product}",
    ],
    "MT": [
        "Giải pháp xử lý {pollutant} {where}",
        "Phân loại rác thải tại nguồn {where}",
        "Tận dụng {waste} để {reuse}",
        "Cải tiến hệ thống xử lý {pollutant} {line}",
    ],
    "COVID": [
        "Giải pháp {covid_work} {where}",
        "Chế tạo {covid_device} {where}",
        "Ứng dụng {software} trong {covid_work}",
        "Cải tiến quy trình {covid_work} {where}",
    ],
    "CCHC": [
        "Rút ngắn thời gian {admin_work} {office_place}",
        "Ứng dụng {software} trong {admin_work}",
        "Cải tiến quy trình {admin_work} {office_place}",
    ],
}  # fmt: skip

# A place added to a title already used in the same unit.
EXTRA_PLACES = [
    "tại tổ #",
    "tại bộ phận số #",
    "áp dụng từ năm #",
    "giai đoạn #",
    "phiên bản #",
]
_SLOT = re.compile(r"(\{\w+\})")


def parse(template: str) -> list[tuple[bool, str]]:
    """A template as (is_slot, text) parts."""
    out = []
    for piece in _SLOT.split(template):
        piece = piece.strip()
        if not piece:
            continue
        if piece.startswith("{"):
            out.append((True, piece[1:-1]))
        else:
            out.append((False, piece))
    return out


PARSED: dict[str, list[list[tuple[bool, str]]]] = {
    code: [parse(t) for t in templates] for code, templates in TEMPLATES.items()
}

# -- the other texts of the form -----------------------------------------------------------

PROBLEMS: dict[str, list[str]] = {
    "KTCN": [
        "Thao tác thủ công mất nhiều thời gian, năng suất thấp và tỷ lệ sản phẩm lỗi cao.",
        "Thiết bị cũ thường xuyên hỏng vặt, phải dừng máy để sửa chữa.",
        "Công nhân phải cúi người, thao tác lặp lại nhiều lần gây mệt mỏi.",
        "Chất lượng sản phẩm không đồng đều giữa các ca sản xuất.",
    ],
    "QLDH": [
        "Hồ sơ lưu bằng giấy, tra cứu chậm, dễ thất lạc.",
        "Việc tổng hợp số liệu làm thủ công, mất nhiều ngày và dễ sai sót.",
        "Các bộ phận phối hợp chưa chặt chẽ, công việc bị chồng chéo.",
    ],
    "TKNL": [
        "Chi phí điện, nước và nguyên liệu chiếm tỷ trọng lớn trong giá thành.",
        "Thiết bị chạy không tải nhiều giờ mỗi ngày gây lãng phí năng lượng.",
        "Phế liệu phát sinh nhiều nhưng chưa được tận dụng.",
    ],
    "ATLD": [
        "Nơi làm việc tiềm ẩn nguy cơ tai nạn lao động.",
        "Người lao động tiếp xúc thường xuyên với yếu tố có hại.",
        "Quy trình an toàn chưa đầy đủ, công nhân mới chưa nắm vững.",
    ],
    "CDS": [
        "Nhiều việc vẫn làm trên giấy, báo cáo chậm và khó theo dõi.",
        "Dữ liệu nằm rải rác ở nhiều nơi, không cập nhật kịp thời.",
        "Người lao động phải đi lại nhiều lần để làm thủ tục.",
    ],
    "GDDT": [
        "Học sinh còn thụ động, chưa hứng thú với môn học.",
        "Kết quả khảo sát đầu năm cho thấy nhiều em còn yếu kỹ năng cơ bản.",
        "Đồ dùng dạy học còn thiếu, chưa sinh động.",
    ],
    "YT": [
        "Người bệnh phải chờ lâu, khoa thường xuyên quá tải.",
        "Quy trình còn nhiều bước thủ công, dễ nhầm lẫn.",
        "Dụng cụ hiện có chưa thuận tiện cho nhân viên y tế khi thao tác.",
    ],
    "NN": [
        "Năng suất cây trồng, vật nuôi thấp, chi phí đầu vào cao.",
        "Phụ phẩm nông nghiệp bị đốt bỏ gây ô nhiễm.",
        "Thời tiết bất lợi làm giảm chất lượng nông sản.",
    ],
    "MT": [
        "Chất thải chưa được xử lý triệt để, ảnh hưởng đến môi trường xung quanh.",
        "Rác thải để lẫn, chi phí thu gom cao.",
    ],
    "COVID": [
        "Dịch COVID-19 diễn biến phức tạp, nguy cơ lây nhiễm trong nơi làm việc cao.",
        "Đơn vị phải vừa phòng dịch vừa duy trì sản xuất, bảo đảm việc làm cho người lao động.",
    ],
    "CCHC": [
        "Thời gian giải quyết thủ tục còn dài, người dân phải đi lại nhiều lần.",
        "Hồ sơ giấy nhiều, khâu luân chuyển giữa các bộ phận chậm.",
    ],
}
STEPS = [
    "khảo sát thực trạng và đo đạc số liệu ban đầu",
    "thiết kế và làm thử ở quy mô nhỏ",
    "lấy ý kiến người lao động trực tiếp làm việc",
    "hoàn thiện sau thời gian áp dụng thử",
    "hướng dẫn cho các tổ, bộ phận khác cùng áp dụng",
    "xây dựng hướng dẫn thực hiện bằng hình ảnh",
    "đánh giá hiệu quả sau ba tháng",
    "bố trí lại mặt bằng và thao tác",
]
CONDITIONS = [
    "Áp dụng được cho các đơn vị có điều kiện tương tự, chi phí đầu tư thấp.",
    "Cần một buổi hướng dẫn cho người sử dụng; không cần thiết bị đắt tiền.",
    "Áp dụng được ngay tại các tổ, bộ phận khác của đơn vị.",
    "Cần sự đồng ý của lãnh đạo đơn vị và kinh phí khoảng vài triệu đồng.",
    "Đã áp dụng thử thành công; có thể nhân rộng trong toàn ngành.",
    "Cần máy tính có kết nối Internet.",
]
BENEFIT_METHODS = [
    "Tiết kiệm chi phí so với trước khi áp dụng, tính cho 12 tháng.",
    "Giá trị làm lợi = (chi phí trước – chi phí sau) × sản lượng một năm.",
    "Số giờ công tiết kiệm nhân với đơn giá tiền lương bình quân.",
    "Chi phí vật tư, điện năng giảm theo số liệu của phòng Kế toán.",
    "Giá trị sản phẩm tăng thêm trong năm đầu áp dụng.",
]
NO_BENEFIT_METHODS = [
    "Lợi ích không tính được bằng tiền: nâng cao chất lượng công việc.",
    "Lợi ích xã hội: bảo đảm an toàn và sức khỏe người lao động.",
    "Không tính được bằng tiền; tiết kiệm thời gian cho người lao động.",
    "Lợi ích về giáo dục: học sinh tiến bộ rõ rệt.",
]
RETURN_REASONS = [
    "Đề nghị bổ sung cách tính hiệu quả kinh tế.",
    "Đề nghị bổ sung quyết định công nhận sáng kiến của đơn vị.",
    "Mô tả rõ hơn các bước thực hiện giải pháp.",
    "Ghi rõ tỷ lệ đóng góp của từng tác giả.",
    "Bổ sung thời điểm áp dụng lần đầu.",
    "Tên sáng kiến chưa thể hiện được bản chất giải pháp, đề nghị sửa lại.",
]
INVALID_REASONS = [
    "Giải pháp là nhiệm vụ thường xuyên, chưa có tính mới.",
    "Trùng với sáng kiến đã được công nhận tại đơn vị.",
    "Chưa được hội đồng sáng kiến hoặc thủ trưởng đơn vị công nhận.",
    "Chưa có kết quả áp dụng thực tế tại đơn vị.",
    "Không thuộc đối tượng của phong trào.",
]
LOWER_BENEFIT_REASONS = [
    "Hội đồng công nhận hiệu quả thấp hơn mức đề nghị theo số liệu thực tế.",
    "Chỉ tính phần lợi ích trong năm đầu áp dụng.",
    "Không tính chi phí đầu tư ban đầu vào giá trị làm lợi.",
]
WITHDRAW_NOTES = [
    "Tác giả rút để hoàn thiện thêm.",
    "Đăng ký nhầm đơn vị.",
    "",
]
REOPEN_REASONS = [
    "Tác giả đã bổ sung quyết định công nhận; xét lại.",
    "Xét lại theo kết luận của hội đồng sáng kiến cấp trên.",
]
QUALIFICATIONS = [
    ("", 30), ("Kỹ sư", 15), ("Cử nhân", 20), ("Công nhân kỹ thuật bậc 4/7", 10),
    ("Trung cấp", 10), ("Cao đẳng", 8), ("Thạc sĩ", 5), ("Tiến sĩ", 1), ("Bác sĩ chuyên khoa I", 1),
]  # fmt: skip
CONFIDENTIAL = [
    "Thông số kỹ thuật chi tiết và bản vẽ chế tạo lưu tại phòng Kỹ thuật.",
    "Công thức phối trộn nguyên liệu.",
    "Mã nguồn phần mềm.",
]
FIRST_APPLICATION = [
    "Tổ sản xuất số 1",
    "Các thành viên trong tổ",
    "Phòng Kỹ thuật",
    "Tổ chuyên môn",
    "Khoa lâm sàng",
    "Toàn thể người lao động của đơn vị",
]
# How the recognising decision is numbered, by member profile.
DECISION_SUFFIX = {
    "school_mn": "QĐ-MN", "school": "QĐ-HT", "university": "QĐ-ĐH", "hospital": "QĐ-BV",
    "health_station": "QĐ-TYT", "office": "QĐ-UBND", "coop": "QĐ-HTX",
}  # fmt: skip

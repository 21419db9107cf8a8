"""Static reference data for the demo generator: real counties and townships of 宁波市,
destination cities for members working away, and the words places, employers and organs are
named with (people's names are in names.py).

Township codes follow the GB/T 10114 pattern of the 统计用区划代码: within a county, 街道 are
numbered 001–099, 镇 101–199, 乡 201–299, in the order listed here (the numbers are
plausible, not the official ones). Coordinates are approximate (a few km) and only meant to
place points inside the county's rough extent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountySpec:
    code: str
    name: str  # 宁海县
    short: str  # 宁海
    lon: float
    lat: float
    spread: float  # rough half-extent in degrees
    # (name, lon, lat); lon/lat None → placed at random around the centroid
    townships: tuple[tuple[str, float | None, float | None], ...]


NINGHAI = CountySpec(
    code="330226",
    name="宁海县",
    short="宁海",
    lon=121.4295,
    lat=29.2879,
    spread=0.32,
    townships=(
        ("跃龙街道", 121.43, 29.30),
        ("桃源街道", 121.41, 29.27),
        ("梅林街道", 121.37, 29.22),
        ("桥头胡街道", 121.47, 29.24),
        ("长街镇", 121.68, 29.15),
        ("力洋镇", 121.60, 29.14),
        ("一市镇", 121.53, 29.10),
        ("岔路镇", 121.27, 29.17),
        ("前童镇", 121.33, 29.20),
        ("桑洲镇", 121.30, 29.07),
        ("黄坛镇", 121.30, 29.28),
        ("大佳何镇", 121.50, 29.39),
        ("强蛟镇", 121.55, 29.40),
        ("西店镇", 121.43, 29.45),
        ("深甽镇", 121.28, 29.40),
        ("胡陈乡", 121.62, 29.22),
        ("茶院乡", 121.57, 29.17),
        ("越溪乡", 121.57, 29.28),
    ),
)


def _t(*names: str) -> tuple[tuple[str, float | None, float | None], ...]:
    return tuple((n, None, None) for n in names)


# The ten county-level divisions of 宁波市 (current codes), used by the city scale.
NINGBO_COUNTIES: tuple[CountySpec, ...] = (
    CountySpec(
        "330203",
        "海曙区",
        "海曙",
        121.5508,
        29.8749,
        0.14,
        _t(
            "南门街道",
            "西门街道",
            "月湖街道",
            "江厦街道",
            "白云街道",
            "段塘街道",
            "鼓楼街道",
            "望春街道",
            "石碶街道",
            "集士港镇",
            "古林镇",
            "高桥镇",
            "横街镇",
            "鄞江镇",
            "洞桥镇",
            "章水镇",
            "龙观乡",
        ),
    ),
    CountySpec(
        "330205",
        "江北区",
        "江北",
        121.5551,
        29.8868,
        0.08,
        _t(
            "中马街道",
            "白沙街道",
            "孔浦街道",
            "文教街道",
            "甬江街道",
            "庄桥街道",
            "洪塘街道",
            "慈城镇",
        ),
    ),
    CountySpec(
        "330206",
        "北仑区",
        "北仑",
        121.8442,
        29.8998,
        0.12,
        _t(
            "新碶街道",
            "大碶街道",
            "霞浦街道",
            "柴桥街道",
            "戚家山街道",
            "春晓街道",
            "梅山街道",
            "小港街道",
            "白峰街道",
        ),
    ),
    CountySpec(
        "330211",
        "镇海区",
        "镇海",
        121.5965,
        29.9652,
        0.07,
        _t("招宝山街道", "蛟川街道", "骆驼街道", "庄市街道", "贵驷街道", "澥浦镇", "九龙湖镇"),
    ),
    CountySpec(
        "330212",
        "鄞州区",
        "鄞州",
        121.5466,
        29.8165,
        0.15,
        _t(
            "梅墟街道",
            "中河街道",
            "首南街道",
            "福明街道",
            "白鹤街道",
            "百丈街道",
            "东胜街道",
            "明楼街道",
            "钟公庙街道",
            "东柳街道",
            "下应街道",
            "潘火街道",
            "姜山镇",
            "五乡镇",
            "邱隘镇",
            "云龙镇",
            "横溪镇",
            "塘溪镇",
            "咸祥镇",
            "瞻岐镇",
            "东吴镇",
        ),
    ),
    CountySpec(
        "330213",
        "奉化区",
        "奉化",
        121.4070,
        29.6551,
        0.15,
        _t(
            "锦屏街道",
            "岳林街道",
            "江口街道",
            "西坞街道",
            "萧王庙街道",
            "方桥街道",
            "莼湖街道",
            "尚田街道",
            "溪口镇",
            "大堰镇",
            "松岙镇",
            "裘村镇",
        ),
    ),
    CountySpec(
        "330225",
        "象山县",
        "象山",
        121.8693,
        29.4767,
        0.2,
        _t(
            "丹东街道",
            "丹西街道",
            "爵溪街道",
            "石浦镇",
            "西周镇",
            "鹤浦镇",
            "贤庠镇",
            "墙头镇",
            "泗洲头镇",
            "定塘镇",
            "涂茨镇",
            "大徐镇",
            "新桥镇",
            "东陈乡",
            "晓塘乡",
            "黄避岙乡",
            "茅洋乡",
            "高塘岛乡",
        ),
    ),
    NINGHAI,
    CountySpec(
        "330281",
        "余姚市",
        "余姚",
        121.1546,
        30.0371,
        0.2,
        _t(
            "凤山街道",
            "阳明街道",
            "梨洲街道",
            "兰江街道",
            "朗霞街道",
            "低塘街道",
            "临山镇",
            "黄家埠镇",
            "小曹娥镇",
            "泗门镇",
            "马渚镇",
            "牟山镇",
            "丈亭镇",
            "三七市镇",
            "河姆渡镇",
            "大隐镇",
            "陆埠镇",
            "梁弄镇",
            "大岚镇",
            "四明山镇",
            "鹿亭乡",
        ),
    ),
    CountySpec(
        "330282",
        "慈溪市",
        "慈溪",
        121.2666,
        30.1703,
        0.18,
        _t(
            "浒山街道",
            "古塘街道",
            "白沙路街道",
            "宗汉街道",
            "坎墩街道",
            "龙山镇",
            "掌起镇",
            "观海卫镇",
            "附海镇",
            "桥头镇",
            "匡堰镇",
            "逍林镇",
            "新浦镇",
            "胜山镇",
            "横河镇",
            "崇寿镇",
            "庵东镇",
            "长河镇",
            "周巷镇",
        ),
    ),
)

# Tiny scale: two real townships of 宁海县.
TINY_TOWNSHIPS = ("长街镇", "越溪乡")

CITY_CODE = "330200"
CITY_NAME = "宁波市"


@dataclass(frozen=True)
class Destination:
    prefix: str  # city-level code prefix (4 digits; municipalities 1101/3101...)
    city_code: str  # 6-digit city code (municipalities: 110000, 310000), as geocoders give it
    city: str  # full city name, used as a mobile branch's 驻在地
    short: str  # short city name for employers and host orgs
    weight: float
    variants: tuple[str, ...]  # free-text forms written in 外出地点 (some are area codes)


DESTINATIONS: tuple[Destination, ...] = (
    Destination(
        "4419",
        "441900",
        "广东省东莞市",
        "东莞",
        10,
        (
            "广东省东莞市长安镇",
            "广东东莞虎门镇",
            "东莞市厚街镇",
            "广东省东莞市塘厦镇",
            "广东省东莞市",
            "441900",
        ),
    ),
    Destination(
        "4403",
        "440300",
        "广东省深圳市",
        "深圳",
        6,
        ("广东省深圳市宝安区", "深圳龙岗", "广东省深圳市龙华区", "深圳市南山区"),
    ),
    Destination("4401", "440100", "广东省广州市", "广州", 3, ("广东省广州市白云区", "广州番禺")),
    Destination(
        "3307",
        "330700",
        "浙江省金华市义乌市",
        "义乌",
        9,
        ("浙江义乌", "浙江省金华市义乌市", "义乌市稠城街道", "330782"),
    ),
    Destination(
        "3301",
        "330100",
        "浙江省杭州市",
        "杭州",
        8,
        ("浙江省杭州市萧山区", "杭州余杭", "浙江省杭州市滨江区", "杭州市西湖区"),
    ),
    Destination(
        "3101",
        "310000",
        "上海市",
        "上海",
        10,
        ("上海市浦东新区", "上海市松江区", "上海闵行", "上海市嘉定区", "上海"),
    ),
    Destination(
        "3205",
        "320500",
        "江苏省苏州市",
        "苏州",
        6,
        ("江苏省苏州市昆山市", "苏州吴江", "江苏省苏州市吴中区", "320583"),
    ),
    Destination(
        "3302",
        "330200",
        "浙江省宁波市",
        "宁波",
        6,
        ("宁波市鄞州区", "浙江省宁波市北仑区", "宁波江北"),
    ),
    Destination("3303", "330300", "浙江省温州市", "温州", 2, ("浙江省温州市瑞安市", "温州乐清")),
    Destination(
        "3310",
        "331000",
        "浙江省台州市",
        "台州",
        4,
        ("浙江省台州市三门县", "台州临海", "浙江省台州市黄岩区"),
    ),
    Destination("1101", "110000", "北京市", "北京", 2, ("北京市朝阳区", "北京大兴")),
    Destination("3505", "350500", "福建省泉州市", "泉州", 2, ("福建省泉州市晋江市", "福建晋江")),
    Destination("3202", "320200", "江苏省无锡市", "无锡", 2, ("江苏省无锡市新吴区", "无锡惠山")),
    Destination("3201", "320100", "江苏省南京市", "南京", 1, ("江苏省南京市玄武区",)),
    Destination("6501", "650100", "新疆维吾尔自治区乌鲁木齐市", "乌鲁木齐", 1, ("新疆乌鲁木齐市",)),
)

# Destinations nobody can geocode.
UNRECOGNISABLE = ("外地打工", "外省", "跑船")

# Where mobile branches are hosted (county scale, 宁海); other counties pick from these.
BRANCH_CITIES = ("4419", "3101", "3307")
# The city that is always planted as "≥3 full members, no mobile branch" (prefix of 320500).
CLUSTER_CITY = "3205"

# Places of birth written into ID numbers (county-level codes of 浙江 and a few others).
BIRTHPLACES = (
    "330225",
    "330282",
    "330281",
    "331022",
    "331081",
    "330683",
    "330212",
    "330203",
    "361123",
    "511025",
    "341221",
    "430524",
)

ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("汉族", 98.4),
    ("畲族", 0.6),
    ("回族", 0.25),
    ("土家族", 0.2),
    ("苗族", 0.2),
    ("满族", 0.15),
    ("壮族", 0.1),
    ("布依族", 0.1),
)

VILLAGE_PREFIX = tuple(
    "上下前后东西南北大小中里外新高长双石竹梅桃杏松柏枫茶桑白青黄龙凤马鹤沙溪岭湖塘山清金潘"
)
VILLAGE_SUFFIX = tuple("洋山岙溪塘坑湾桥岭田宅庄门墩岩浦屿头坪垟岗园林峰港埠岸畈陈潭")
COMMUNITY_WORDS = (
    "兴宁",
    "金水",
    "清潭",
    "桃源",
    "广德",
    "城东",
    "城西",
    "城南",
    "城北",
    "天明",
    "新兴",
    "华山",
    "南门",
    "北门",
    "西门",
    "东门",
    "长卫",
    "兴海",
    "东方",
    "金桥",
    "万福",
    "学府",
    "阳光",
    "滨江",
    "望海",
    "梅林",
    "丹桂",
    "香樟",
    "锦绣",
    "文峰",
    "兴港",
    "凤凰",
    "镇东",
    "镇西",
    "时代",
    "振兴",
    "和平",
    "幸福",
    "平安",
    "悦湖",
    "新城",
    "银河",
    "气象",
    "柔石",
    "跃龙",
)
ROADS = (
    "人民路",
    "兴宁路",
    "金水路",
    "桃源路",
    "中山路",
    "环城路",
    "跃龙路",
    "气象路",
    "学勉路",
    "科园路",
    "新华路",
    "解放路",
    "广场路",
    "时代大道",
    "滨河路",
)

COMPANY_WORDS = (
    "华兴",
    "宏达",
    "鑫源",
    "恒通",
    "永盛",
    "天成",
    "海润",
    "金鼎",
    "瑞丰",
    "东升",
    "万和",
    "长宏",
    "盛泰",
    "博远",
    "嘉禾",
    "明辉",
    "新亚",
    "荣昌",
)
COMPANY_TRADES = (
    "电子有限公司",
    "五金制品有限公司",
    "模具有限公司",
    "物流有限公司",
    "建筑工程有限公司",
    "服装有限公司",
    "机械有限公司",
    "贸易有限公司",
    "塑业有限公司",
    "科技有限公司",
    "文具有限公司",
    "食品有限公司",
)
# 工作单位 values that are not a fixed employer (should_transfer does not apply).
NOT_FIXED_EMPLOYERS = ("个体经营", "灵活就业", "打零工", "自由职业")
HOST_ORG_KINDS = (
    "非公企业综合党委",
    "流动党员服务中心党支部",
    "商会党支部",
    "社区党委",
    "工业园区党委",
)
REASONS: tuple[tuple[str, float], ...] = (
    ("外出务工", 60),
    ("经商办企业", 25),
    ("求学", 5),
    ("投靠亲属", 10),
)
CHANNELS: tuple[tuple[str, float], ...] = (
    ("微信", 45),
    ("电话", 35),
    ("网上", 15),
    ("现场", 5),
)

COUNTY_ORGAN_BRANCHES = (
    "县委办公室",
    "县政府办公室",
    "县委组织部",
    "县人大常委会机关",
    "县政协机关",
    "县农业农村局",
    "县民政局",
    "县发展和改革局",
    "县自然资源和规划局",
    "县交通运输局",
    "县卫生健康局",
    "县教育局",
)

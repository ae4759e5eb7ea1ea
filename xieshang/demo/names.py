"""Word lists for the synthetic demo county: place names, person names, ID numbers, topics.

Everything here is fictional. Names are drawn from plausible parts so that a dashboard
of the demo county reads like a real one; no list names a real person.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

COUNTY_CODE = "330281000000"
COUNTY_NAME = "清河县"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def weights(text: str) -> dict[str, int]:
    """'a:3 b:1' -> {'a': 3, 'b': 1}."""
    return {key: int(value) for key, value in (item.split(":") for item in text.split())}


# --- places -----------------------------------------------------------------------------

STREET_BASES = _words(
    "城关 东城 西城 南湖 北山 凤山 兰亭 梨洲 阳明 朗霞 锦江 龙山 玉泉 文昌 云龙 河滨 天河 长春"
)
TOWN_BASES = _words(
    "东湖 临溪 马渚 泗门 青港 黄坛 丈亭 陆埠 大隐 河口 牟山 石桥 新桥 "
    "桃源 长安 双溪 柏树 清水 洪塘 小曹 鹤鸣 芦城 永和 安平"
)
XIANG_BASES = _words("白石 大岚 四明 鹿亭 梁弄 岭南 高峰 茶山 云峰 松岙 金竹 杜岭 樟村 龙潭")
VILLAGE_BASES = _words(
    "柳树 石门 横塘 前进 红旗 东升 西岙 南山 北庄 上林 下堡 马家 李家 "
    "王家 张家 陈家 杨家 周家 吴家 徐家 胡家 黄泥 桥头 塘下 湖塘 山下 "
    "岭脚 溪口 竹园 茶园 桃园 杏林 枫林 松林 梅溪 兰溪 金沙 银杏 五星 "
    "三联 四联 联丰 丰产 永丰 大路 小路 新塘 老屋 后洋 前洋 双河 三河 "
    "龙潭 凤岙 虎山 鹰山 牛头 白沙 青山 绿水 石塘 渔业 盐场 蒋家 沈家 "
    "姚家 孙家 施家 邵家 顾家 谢家 郑家 叶家 洪家 俞家 朱家 潘家 方家 "
    "楼下 塔山"
)
COMMUNITY_BASES = _words(
    "新华 阳光 幸福 和平 锦绣 花园 金桥 翠苑 东方 春晖 康乐 桂花 紫荆 "
    "滨江 文化 人民 建设 朝阳 光明 胜利 丰乐 明珠 世纪 未来 振兴 瑞云 "
    "锦苑 江南 舜江 玉兰"
)
_FIRST = "东西南北上下前后大小新老金银石玉青白红黄龙凤马杨柳桃梅竹松枫桥溪湖塘山岭"
_SECOND = "家村庄岙坑洋塘湾桥山岭溪浦头林园坪埠港墩圩田垟堰"


def place_names(
    rng: random.Random, bases: tuple[str, ...], count: int, taken: set[str]
) -> list[str]:
    """`count` two-character place names not in `taken` (added to it), curated ones first."""
    pool = [b for b in bases if b not in taken]
    rng.shuffle(pool)
    names: list[str] = []
    for base in pool:
        if len(names) == count:
            break
        names.append(base)
        taken.add(base)
    while len(names) < count:
        base = rng.choice(_FIRST) + rng.choice(_SECOND)
        if base not in taken and base[0] != base[1]:
            names.append(base)
            taken.add(base)
    return names


# --- people ----------------------------------------------------------------------------

SURNAMES = (
    "王王王李李李张张张刘刘陈陈陈杨杨黄赵吴吴周徐徐孙马朱胡胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘蒋蔡余杜叶叶程苏魏吕丁任沈沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟"
    "熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤俞施楼邬"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国林峰志民海燕飞"
    "斌宇浩凯健俊帆帅旭宁婷雪琳晨阳波东亮成德福根良荣生祥文武卫忠新春秋冬梅菊云龙虎"
    "国庆永康佳慧欣怡子涵宏伟晓岚立群金水阿三巧珍月仙"
)

# ID-number regions: the county itself mostly, then neighbouring ones.
ID_REGIONS = ("330281",) * 8 + ("330282", "330211", "330226", "330106", "330621", "341122")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def id_number(rng: random.Random) -> str:
    """A fake but well-formed 18-character resident ID number (with its check digit)."""
    region = rng.choice(ID_REGIONS)
    born = date(1942, 1, 1) + timedelta(days=rng.randrange(0, 365 * 63))
    body = f"{region}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


# --- topics and resolutions --------------------------------------------------------------

# Places inside a village / community / township that topics are about.
VILLAGE_SPOTS = _words(
    "一组 二组 三组 五组 村东片 村西片 老街 新村点 文化礼堂周边 村小学门口 "
    "村口 主干道 后山 溪边 祠堂前 集中居住区"
)
COMMUNITY_SPOTS = _words(
    "1幢 3幢 7号楼 南区 北区 东门 老旧小区 沿街商铺 地下车库 中心花园 "
    "农贸市场周边 学校周边 背街小巷 安置小区"
)
TOWNSHIP_SPOTS = _words(
    "集镇 镇区 工业园区 中心小学周边 老街 农贸市场 客运站周边 沿江地带 大道沿线"
)
STREET_SPOTS = _words(
    "辖区 老城区 街道中心 主干道沿线 农贸市场 学校周边 医院周边 老旧小区 商业街 背街小巷"
)
COUNTY_SPOTS = ("全县", "县城", "城区", "开发区", "各乡镇(街道)", "县域")

# category -> (topic template, resolution contents); {p} = a spot, {n} = a number.
TOPICS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "environment": (
        (
            "关于{p}垃圾分类点位调整的协商",
            ("在{p}新设垃圾分类投放点{n}处", "安排专人定时督导垃圾分类投放"),
        ),
        ("关于{p}河道保洁的协商", ("落实{p}河道日常保洁责任人", "每月开展一次河道清淤保洁")),
        ("关于{p}生活污水管网改造的协商", ("完成{p}污水管网改造约{n}0米", "对破损化粪池进行维修")),
        ("关于{p}乱堆乱放整治的协商", ("清理{p}乱堆乱放{n}处", "设立环境卫生红黑榜")),
        ("关于{p}绿化提升的协商", ("补种{p}绿化苗木{n}0株", "认领绿地由党员包干养护")),
    ),
    "roads": (
        (
            "关于{p}道路硬化的协商",
            ("对{p}道路实施硬化约{n}00米", "道路硬化资金由村集体和群众共同筹集"),
        ),
        ("关于{p}路灯安装的协商", ("在{p}增设路灯{n}盏", "损坏路灯一周内修复")),
        ("关于{p}停车位规划的协商", ("在{p}施划停车位{n}个", "制定停车管理公约")),
        ("关于{p}道路拓宽的协商", ("{p}道路拓宽至6米", "对涉及的{n}户做好政策处理")),
        ("关于{p}交通安全设施的协商", ("在{p}增设减速带{n}处", "安装道路反光镜和警示牌")),
    ),
    "elderly_child": (
        (
            "关于居家养老服务中心运营的协商",
            ("延长居家养老服务中心开放时间", "引入第三方专业养老服务机构"),
        ),
        ("关于老年食堂助餐服务的协商", ("老年食堂增设送餐上门服务", "80周岁以上老人用餐补贴{n}元")),
        ("关于四点半课堂开设的协商", ("利用{p}活动室开设四点半课堂", "招募志愿者{n}名辅导作业")),
        ("关于托育服务点设置的协商", ("在{p}设立普惠托育点", "托育点收费标准经群众评议后公示")),
    ),
    "property": (
        (
            "关于{p}物业服务费调整的协商",
            ("物业费调整方案经业主大会表决", "物业公司每季度公示收支情况"),
        ),
        ("关于{p}加装电梯费用分摊的协商", ("{p}加装电梯费用按楼层分摊", "成立加装电梯协调小组")),
        ("关于小区公共收益使用的协商", ("公共收益用于{p}设施维修", "公共收益使用情况每半年公示")),
        (
            "关于{p}物业服务质量评议的协商",
            ("物业公司限期整改问题{n}项", "建立物业服务月度评议机制"),
        ),
    ),
    "facilities": (
        ("关于{p}文化礼堂改造的协商", ("完成{p}文化礼堂改造提升", "文化礼堂实行错时开放")),
        ("关于{p}健身器材更新的协商", ("在{p}更新健身器材{n}件", "落实健身器材日常维护")),
        ("关于{p}口袋公园建设的协商", ("利用{p}闲置地块建设口袋公园", "公园命名向群众征集")),
        ("关于{p}公厕改造的协商", ("新建改建{p}公厕{n}座", "公厕保洁纳入网格管理")),
    ),
    "livelihood": (
        ("关于来料加工点设立的协商", ("在{p}设立来料加工点", "优先吸纳低收入农户{n}人就业")),
        ("关于农产品直播带货合作的协商", ("与电商企业签订农产品销售协议", "开展直播带货培训{n}场")),
        ("关于就业技能培训安排的协商", ("开展技能培训{n}期", "建立就业困难人员帮扶台账")),
        ("关于民宿发展规范的协商", ("制定{p}民宿经营公约", "统一民宿标识和价格公示")),
    ),
    "disputes": (
        ("关于{p}宅基地边界纠纷调处的协商", ("重新测量并确认{p}宅基地边界", "双方签订调解协议")),
        ("关于土地流转租金纠纷的协商", ("流转租金按每亩{n}00元执行", "租金每年年底前一次性支付")),
        ("关于{p}邻里噪声纠纷的协商", ("约定{p}夜间施工时段", "由网格员跟踪回访")),
        ("关于{p}排水纠纷的协商", ("疏通{p}排水沟{n}0米", "费用由受益户分摊")),
    ),
    "collective": (
        ("关于村集体闲置厂房出租的协商", ("闲置厂房公开招租", "租金收入纳入村集体经济账户")),
        ("关于集体经济项目分红的协商", ("按股份向村民分红每股{n}0元", "分红方案张榜公示")),
        ("关于强村公司项目入股的协商", ("以集体资金入股强村公司", "项目收益每年公开")),
        ("关于{p}集体土地整理的协商", ("完成{p}土地整理约{n}0亩", "整理后土地统一流转")),
    ),
    "safety": (
        (
            "关于电动自行车集中充电点建设的协商",
            ("在{p}建设集中充电点{n}处", "开展楼道飞线充电清理"),
        ),
        ("关于{p}消防通道整治的协商", ("清理{p}消防通道占用{n}处", "施划消防通道标线")),
        ("关于防汛防台预案的协商", ("修订防汛防台应急预案", "排查{p}危旧房屋{n}户")),
        ("关于{p}视频监控补点的协商", ("在{p}新增监控探头{n}个", "监控接入网格化平台")),
    ),
    "other": (
        ("关于村规民约修订的协商", ("完成村规民约修订并张榜公布", "村规民约纳入积分管理")),
        ("关于移风易俗红白理事会章程的协商", ("修订红白理事会章程", "倡导婚事新办丧事简办")),
        ("关于志愿服务积分兑换的协商", ("建立志愿服务积分兑换超市", "每季度开展积分兑换{n}次")),
    ),
}

# category weights by the host's kind of area
CATEGORY_WEIGHTS: dict[str, dict[str, int]] = {
    "村": weights(
        "environment:16 roads:16 elderly_child:8 property:1 facilities:12 livelihood:10 "
        "disputes:9 collective:12 safety:8 other:8"
    ),
    "社区": weights(
        "environment:14 roads:8 elderly_child:12 property:20 facilities:12 livelihood:4 "
        "disputes:10 collective:1 safety:12 other:7"
    ),
    "township": weights(
        "environment:15 roads:18 elderly_child:10 property:6 facilities:14 livelihood:12 "
        "disputes:6 collective:8 safety:8 other:3"
    ),
}

COUNTY_BUREAUS = {
    "environment": "县生态环境分局",
    "roads": "县交通运输局",
    "elderly_child": "县民政局",
    "property": "县住房和城乡建设局",
    "facilities": "县文化和广电旅游体育局",
    "livelihood": "县人力资源和社会保障局",
    "disputes": "县司法局",
    "collective": "县农业农村局",
    "safety": "县应急管理局",
    "other": "县委社会工作部",
}
TOWNSHIP_OFFICES = {
    "environment": "农业农村办",
    "roads": "城建办",
    "elderly_child": "社会事务办",
    "property": "城建办",
    "facilities": "文化站",
    "livelihood": "经济发展办",
    "disputes": "综治中心",
    "collective": "农业农村办",
    "safety": "应急管理办",
    "other": "党政办",
}


def responsible_unit(
    rng: random.Random, category: str, level: str, area_name: str, unit_type: str, township: str
) -> str:
    """A plausible unit to carry out a resolution of a meeting held by `area_name`."""
    roll = rng.random()
    if level == "county" or (level == "township" and roll < 0.25):
        return COUNTY_BUREAUS[category]
    if level == "township" or roll < 0.2:
        return township + TOWNSHIP_OFFICES[category]
    if unit_type == "社区":
        if category == "property" and roll < 0.6:
            return area_name + "物业服务中心"
        return area_name + ("居委会" if roll < 0.75 else "党委")
    if category == "collective" and roll < 0.7:
        return area_name + "股份经济合作社"
    return area_name + ("村委会" if roll < 0.7 else "党支部")

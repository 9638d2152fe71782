"""Helpers for bench/offline.py: a synthetic catalogue in the platform's JSON shape, a
byte-counting wrapper around the demo platform's ASGI app, and the naive search a developer
would write first (a list of dicts scanned for every query).

Nothing here writes outside the folders the caller passes.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from offline.pinyin_names import initials, syllables
from offline.search_index import normalise

# Places a district or a province-wide catalogue localises services to.
PLACES = ["金山区", "朱泾镇", "枫泾镇", "亭林镇", "吕巷镇", "廊下镇", "张堰镇", "漕泾镇", "山阳镇",
          "金山卫镇", "石化街道", "长宁区", "徐汇区", "闵行区", "松江区", "青浦区", "奉贤区",
          "嘉定区", "宝山区", "浦东新区", "崇明区", "平湖市", "嘉善县", "海盐县", "南湖区",
          "秀洲区", "桐乡市", "海宁市", "新埭镇", "当湖街道", "乍浦镇", "独山港镇", "广陈镇",
          "新仓镇", "林埭镇", "曹桥街道", "钟埭街道", "泗泾镇", "车墩镇", "叶榭镇"]
WHO = ["", "", "", "", "城乡居民", "灵活就业人员", "企业职工", "残疾人", "老年人", "新生儿",
       "退役军人", "农村", "个体工商户", "困难群众", "外来务工人员", "未成年人", "高龄老人"]
# what -> category code; the category gives department and keywords.
WHAT = {"户口": "HJ", "居民身份证": "HJ", "居住证": "HJ", "户口迁移证明": "HJ",
        "医保": "YB", "医疗保险": "YB", "异地就医": "YB", "门诊特殊病": "YB",
        "社保卡": "SB", "养老保险": "SB", "失业保险金": "SB", "工伤保险": "SB", "生育津贴": "SB",
        "住房公积金": "GJJ", "公积金": "GJJ", "公积金贷款": "GJJ",
        "营业执照": "SC", "食品经营许可证": "SC", "个体工商户登记": "SC",
        "最低生活保障": "MZ", "临时救助": "MZ", "高龄津贴": "MZ", "医疗救助": "MZ",
        "结婚登记": "HY", "出生医学证明": "HY", "独生子女证": "HY",
        "残疾人证": "CJ", "残疾人护理补贴": "CJ",
        "宅基地": "NY", "农机购置补贴": "NY", "耕地地力保护补贴": "NY",
        "不动产登记": "BDC", "驾驶证": "JT", "机动车": "JT",
        "个人所得税": "SW", "学籍": "JY", "护照": "CRJ"}
HOW = ["登记", "迁移", "补办", "提取", "变更", "注销", "申请", "查询", "报销", "备案", "办理",
       "开具", "续保", "参保登记", "转移接续", "挂失", "年审", "认定", "发放", "缴费", "换领"]
CATEGORIES = {"HJ": ("户籍办理", "公安分局"), "YB": ("医疗保障", "医疗保障局"),
              "SB": ("社会保障", "人力资源和社会保障局"), "GJJ": ("住房公积金", "住房公积金管理中心"),
              "SC": ("市场监管", "市场监督管理局"), "MZ": ("民政救助", "民政局"),
              "HY": ("婚育收养", "卫生健康委员会"), "CJ": ("残疾人服务", "残疾人联合会"),
              "NY": ("农业农村", "农业农村委员会"), "BDC": ("不动产", "规划和自然资源局"),
              "JT": ("交通出行", "公安交通管理部门"), "SW": ("税务", "税务局"),
              "JY": ("教育", "教育局"), "CRJ": ("出入境", "出入境管理部门")}
CONDITIONS = ["本区常住户口居民", "年满18周岁或由监护人代办", "已在本市参加社会保险",
              "连续缴费满6个月", "申请人本人或委托代理人到场", "无不良信用记录",
              "家庭人均收入低于本市最低生活保障标准", "年满60周岁", "持有效居住证",
              "所在单位已依法登记", "材料真实、完整、有效"]
MATERIALS = ["居民身份证", "户口簿", "社会保障卡", "结婚证", "居住证", "营业执照", "委托书",
             "近期免冠一寸照片", "银行卡", "医疗费用发票", "诊断证明", "劳动合同",
             "租赁合同", "不动产权证书", "出生医学证明", "收入证明", "申请表"]
FEES = ["免费"] * 8 + ["工本费20元", "工本费10元（补领）"]
DAYS = [0, 0, 1, 3, 5, 7, 10, 15, 20]
HOURS = ["周一至周五 8:30-17:00，周六 9:00-12:00", "周一至周五 8:30-16:30", "全天24小时"]


def centre_id(place: str) -> str:
    return f"SYN-CENTRE-{PLACES.index(place):02d}"


def build_items(n: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """The platform's catalogue items (kind, JSON object) for `n` services: categories,
    services with full guides, one service centre per place, a few help answers."""
    rng = random.Random(seed)
    items: list[tuple[str, dict[str, Any]]] = []
    for sort, (code, (name, dept)) in enumerate(CATEGORIES.items(), start=1):
        items.append(("category", {"id": f"SYN-CAT-{code}", "name": name, "icon": code.lower(),
                                   "department": dept, "sort": sort}))
    for k, place in enumerate(PLACES):
        items.append(("map_point", {
            "id": centre_id(place), "name": f"{place}社区事务受理服务中心",
            "kind": "service_centre", "address": f"{place}人民路{100 + k}号（演示地址）",
            "lat": 30.7 + k * 0.01, "lon": 121.0 + k * 0.01,
            "phone": f"021-57{k:02d} 00{k:02d}", "hours": HOURS[k % 2]}))
    for k in range(30):
        items.append(("help_answer", {"id": f"SYN-HELP-{k:03d}",
                                      "question": f"{rng.choice(list(WHAT))}怎么办理？",
                                      "answer": "可在本终端查询办事指南，或到服务中心窗口咨询。",
                                      "topic": "办事"}))
    whats = list(WHAT)
    for i in range(n):
        place, who, what, how = (rng.choice(PLACES), rng.choice(WHO), rng.choice(whats),
                                 rng.choice(HOW))
        code = WHAT[what]
        cat_name, dept = CATEGORIES[code]
        name = f"{who}{what}{how}"
        days = rng.choice(DAYS)
        where = [{"centre_id": centre_id(place), "name": f"{place}社区事务受理服务中心",
                  "address": f"{place}人民路{100 + PLACES.index(place)}号（演示地址）",
                  "phone": "", "hours": HOURS[0]}]
        if i % 4 == 0:
            where.append({"centre_id": centre_id(PLACES[0]), "name": "金山区行政服务中心",
                          "address": "金山区龙山路555号（演示地址）", "phone": "021-5799 0000",
                          "hours": HOURS[0]})
        sid = f"SYN-{code}-{i:06d}"
        items.append(("service", {
            "id": sid, "category_id": f"SYN-CAT-{code}", "name": name,
            "summary": f"{place}{who or '居民'}{what}{how}。由{place}{dept}受理，"
                       f"可在{where[0]['name']}或自助终端办理。",
            "department": f"{place}{dept}",
            "conditions": rng.sample(CONDITIONS, rng.randint(1, 3)),
            "materials": [{"name": m, "original": rng.random() < 0.8, "copies": 1, "note": ""}
                          for m in rng.sample(MATERIALS, rng.randint(2, 4))],
            "fee": rng.choice(FEES), "time_limit": "即办" if days == 0 else f"{days}个工作日",
            "time_limit_days": days, "where": where, "online": bool(i % 3),
            "cross_province": i % 7 == 0,
            "guide_video_url": f"https://video.example.gov.cn/{sid}.mp4" if i % 11 == 0 else None,
            "keywords": [cat_name, place, what]}))
    return items


class CountingApp:
    """ASGI wrapper: records (path, status, response body bytes as sent, i.e. after the
    platform's gzip) of every HTTP request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.log: list[tuple[str, int, int]] = []

    @property
    def state(self) -> Any:  # ServerHandle reaches the store through app.state
        return self.app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = {"status": 0, "bytes": 0}

        async def counting_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            with self._lock:
                self.log.append((scope["path"], seen["status"], seen["bytes"]))

    def last(self) -> tuple[str, int, int]:
        with self._lock:
            return self.log[-1]


class NaiveScan:
    """The obvious search: every service as a dict with its name, pinyin and initials
    precomputed; each query tests substrings over all of them, then sorts."""

    def __init__(self, services) -> None:
        self.rows = []
        for s in services:
            name = normalise(s.name)
            self.rows.append({"id": s.id, "name": name, "pinyin": "".join(syllables(name)),
                              "initials": initials(name),
                              "text": normalise(" ".join((s.summary, *s.keywords)))})

    def search(self, query: str, limit: int = 20) -> list[str]:
        q = normalise(query)
        if not q:
            return []
        latin = q.isascii()
        found = []
        for r in self.rows:
            name = r["name"]
            if name == q or (latin and q in (r["pinyin"], r["initials"])):
                tier = 0
            elif name.startswith(q) or (latin and (r["pinyin"].startswith(q)
                                                   or r["initials"].startswith(q))):
                tier = 1
            elif q in name or (latin and (q in r["pinyin"] or q in r["initials"])):
                tier = 2
            elif q in r["text"]:
                tier = 4
            else:
                continue
            found.append((tier, len(name), r["id"]))
        found.sort()
        return [sid for _, _, sid in found[:limit]]

"""Make the two demo contests reproducibly: python data/make_demos.py

Scores are synthetic: each project has a true quality, each judge a leniency
(a shift of the scores; truth.csv writes it as judge_severity, positive = harsh,
as evalkit reports severity) and a spread, each score adds noise; scores are rounded to the
criterion's decimals and kept inside its scale. Judges differ visibly: in
demo-huaihe J2 is lenient (about +8 points on the total) and J5 severe (about -9).
Project titles of demo-xinan are the real ones of the Sanshui Xinan 2017 contest
(DESIGN.md); its scores are synthetic too.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
RUBRICS = HERE.parent / "rubrics"

HUAIHE_PROJECTS = [
    # id, name, name_en, organisation, category
    ("P01", "银龄互助·幸福食堂", "Silver mutual aid canteen", "淮河社工服务中心", "敬老孝老"),
    ("P02", "长者智能手机课堂", "Smartphone class for elders", "阳光志愿者协会", "敬老孝老"),
    ("P03", "独居老人探访计划", "Visits to elders living alone", "淮河社工服务中心", "敬老孝老"),
    ("P04", "老兵口述史", "Veterans' oral history", "红星文化促进会", "敬老孝老"),
    ("P05", "认知症友好社区", "Dementia-friendly community", "康宁健康服务社", "敬老孝老"),
    ("P06", "四点半课堂", "After-school 4:30 class", "春苗青少年服务中心", "关爱青少年"),
    ("P07", "困境儿童成长陪伴", "Companionship for children in hardship", "春苗青少年服务中心", "关爱青少年"),
    ("P08", "青少年心理护航", "Youth mental health support", "心桥心理咨询中心", "关爱青少年"),
    ("P09", "社区小小志愿者", "Little community volunteers", "阳光志愿者协会", "关爱青少年"),
    ("P10", "暑期安全教育营", "Summer safety camp", "平安社区服务社", "关爱青少年"),
    ("P11", "亲子阅读角", "Parent-child reading corner", "书香文化促进会", "关爱青少年"),
    ("P12", "残障人士就业辅导", "Job coaching for people with disabilities", "助残服务中心", "关爱特殊群体"),
    ("P13", "孤独症家庭喘息服务", "Respite care for autism families", "星语康复中心", "关爱特殊群体"),
    ("P14", "低保家庭微心愿", "Small wishes of low-income families", "淮河社工服务中心", "关爱特殊群体"),
    ("P15", "失独家庭关怀", "Care for bereaved parents", "康宁健康服务社", "关爱特殊群体"),
    ("P16", "外来务工人员融入", "Migrant workers' integration", "新市民服务中心", "关爱特殊群体"),
    ("P17", "社区垃圾分类督导", "Waste sorting guidance", "绿色家园环保协会", "社区公共服务"),
    ("P18", "楼道微更新", "Stairwell micro-renewal", "社区营造促进会", "社区公共服务"),
    ("P19", "邻里调解工作室", "Neighbourhood mediation studio", "平安社区服务社", "社区公共服务"),
    ("P20", "社区应急志愿队", "Community emergency volunteers", "阳光志愿者协会", "社区公共服务"),
    ("P21", "口袋公园共建", "Pocket park co-building", "社区营造促进会", "社区公共服务"),
    ("P22", "社区议事厅", "Community deliberation hall", "社区营造促进会", "社区公共服务"),
]

XINAN_PROJECTS = [
    # community, category, title (DESIGN.md: Sanshui Xinan 2017)
    ("五顶岗", "便民利民类", "发挥先锋作用·真情服务群众", "Vanguard service for residents"),
    ("洲边", "宣传教育类", "分享阅读书香·共享洲边文明", "Shared reading, shared civility in Zhoubian"),
    ("江根", "扶贫帮困类", "扶贫帮困献爱心·村企共建送关怀", "Poverty relief with village-enterprise care"),
    ("云秀", "扶贫帮困类", "扶贫帮困为民生·心语家园齐共建", "Poverty relief for livelihoods, building a caring home"),
    ("文锋西", "卫生保健类", "养生保健真切为民·党群共建和谐家园", "Health care for residents, party-community harmony"),
    ("月桂", "扶贫帮困类", "亲和社群·红动家园", "Friendly community, red-powered home"),
    ("康华", "文体娱乐类", "红色文化凝心聚力·党群共促和谐发展", "Red culture uniting party and residents"),
    ("桥头", "文体娱乐类", "党群先锋齐发力·你我携手创文明", "Party and residents together for civility"),
    ("沙头", "卫生保健类", "党群心连心·关爱母婴行", "Hearts connected: care for mothers and infants"),
    ("布心", "扶贫帮困类", "圆梦布心·幸福家园", "Dreams come true in Buxin, a happy home"),
]


def _write_csv(path: Path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _scores(rng, rubric, projects, judges, quality, leniency, spread, conflicts, noise=0.06):
    """Criterion scores as fractions of each scale: 0.66 + 0.11*spread*quality +
    leniency + criterion-level noise, rounded to the scale's decimals."""
    quality = np.clip(quality, -1.8, 1.8)  # keep the best projects off the scale's ceiling
    rows = []
    for j, judge in enumerate(judges):
        for p, project in enumerate(projects):
            if (judge, project) in conflicts:
                continue
            for c in rubric["criteria"]:
                lo, hi = c["scale"]["min"], c["scale"]["max"]
                dec = c["scale"].get("decimals", 0)
                frac = 0.66 + 0.11 * spread[j] * quality[p] + leniency[j] + rng.normal(0, noise)
                value = float(np.clip(round(lo + (hi - lo) * frac, dec), lo, hi))
                rows.append((judge, project, c["id"], f"{value:.{dec}f}"))
    return rows


def make_huaihe(out: Path, seed: int = 20260516):
    rng = np.random.default_rng(seed)
    rubric = yaml.safe_load((RUBRICS / "gongyi-chuangtou.yaml").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "contest.yaml").write_text(
        "# Demo contest: synthetic scores made by data/make_demos.py\n" + yaml.safe_dump({
            "name": {"zh": "淮河街道第一届公益创投大赛（演示）", "en": "Huaihe Street 1st venture-philanthropy contest (demo)"},
            "date": "2026-05-16", "rubric": "gongyi-chuangtou.yaml", "budget": 260000, "currency": "CNY",
            "rounds": [{"id": "final", "label": {"zh": "决赛路演", "en": "Final roadshow"}}],
        }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    requested = rng.integers(5, 31, len(HUAIHE_PROJECTS)) * 1000
    projects = []
    for (pid, name, name_en, org, cat), req in zip(HUAIHE_PROJECTS, requested):
        projects.append((pid, name, name_en, org, cat, int(req), int(req * 0.6) // 100 * 100))
    _write_csv(out / "projects.csv", ["id", "name", "name_en", "organisation", "category", "requested", "min_amount"],
               projects)
    judges = [("J1", "王建国", "", ""), ("J2", "李秀兰", "", ""), ("J3", "张伟", "", "P03;淮河社工服务中心"),
              ("J4", "刘芳", "", ""), ("J5", "陈明", "", ""), ("J6", "杨静", "", "P13"), ("J7", "赵磊", "", "")]
    _write_csv(out / "judges.csv", ["id", "name", "panel", "conflicts"], judges)
    pids = [p[0] for p in projects]
    jids = [j[0] for j in judges]
    orgs = {p[0]: p[3] for p in projects}
    conflicts = {(j[0], p) for j in judges for p in pids
                 if j[3] and (p in j[3].split(";") or orgs[p] in j[3].split(";"))}
    quality = rng.normal(0, 1, len(pids))
    leniency = np.array([0.0, 0.08, -0.02, 0.03, -0.09, 0.01, -0.03])  # share of the scale added
    spread = np.array([1.0, 0.6, 1.1, 1.0, 1.3, 0.9, 1.0])
    rows = _scores(rng, rubric, pids, jids, quality, leniency, spread, conflicts)
    _write_csv(out / "scores.csv", ["judge", "project", "criterion", "score"], rows)
    _write_truth(out, pids, quality, jids, leniency, spread)


def make_xinan(out: Path, seed: int = 20170701):
    rng = np.random.default_rng(seed)
    rubric = yaml.safe_load((RUBRICS / "hongse-dangjian.yaml").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "contest.yaml").write_text(
        "# Demo contest: the real project titles of the Sanshui Xinan 2017 contest, synthetic scores\n"
        + yaml.safe_dump({
            "name": {"zh": "西南街道社区党建项目大赛（演示）", "en": "Xinan Street community party-building contest (demo)"},
            "date": "2017-07-01", "rubric": "hongse-dangjian.yaml", "budget": 150000, "currency": "CNY",
            "rounds": [{"id": "final", "label": {"zh": "决赛", "en": "Final"}}],
        }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    requested = rng.integers(10, 31, len(XINAN_PROJECTS)) * 1000
    projects = [(f"X{i + 1:02d}", title, en, f"{community}社区党委", cat, int(r), int(r) // 2)
                for i, ((community, cat, title, en), r) in enumerate(zip(XINAN_PROJECTS, requested))]
    _write_csv(out / "projects.csv", ["id", "name", "name_en", "organisation", "category", "requested", "min_amount"],
               projects)
    judges = [(f"E{i}", n, "expert", "") for i, n in enumerate(["黄志强", "林晓燕", "何国华", "梁文杰", "郭丽"], 1)]
    judges += [(f"M{i}", n, "public", "") for i, n in enumerate(["居民代表 周", "居民代表 吴", "党员代表 郑"], 1)]
    _write_csv(out / "judges.csv", ["id", "name", "panel", "conflicts"], judges)
    pids = [p[0] for p in projects]
    jids = [j[0] for j in judges]
    quality = rng.normal(0, 1, len(pids))
    leniency = np.array([0.0, -0.06, 0.03, 0.05, -0.02, 0.12, 0.09, 0.10])  # public judges are lenient
    spread = np.array([1.0, 1.2, 0.9, 1.0, 1.1, 0.5, 0.7, 0.6])
    rows = _scores(rng, rubric, pids, jids, quality, leniency, spread, set(), noise=0.05)
    _write_csv(out / "scores.csv", ["judge", "project", "criterion", "score"], rows)
    _write_truth(out, pids, quality, jids, leniency, spread)


def _write_truth(out, pids, quality, jids, leniency, spread):
    # judge_severity as everywhere in evalkit: positive = harsh (minus the leniency the scores got)
    _write_csv(out / "truth.csv", ["kind", "id", "value", "spread"],
               [("project_quality", p, f"{q:.4f}", "") for p, q in zip(pids, quality)]
               + [("judge_severity", j, f"{-s + 0.0:.4f}", f"{sp:.2f}") for j, s, sp in zip(jids, leniency, spread)])


if __name__ == "__main__":
    make_huaihe(HERE / "demo-huaihe")
    make_xinan(HERE / "demo-xinan")
    print("wrote data/demo-huaihe and data/demo-xinan")

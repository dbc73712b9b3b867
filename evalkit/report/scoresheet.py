"""Printable score sheets (评分表) per judge: placeholder replaced below."""


def write_scoresheets(contest, out_dir, stem="scoresheets"):
    raise NotImplementedError

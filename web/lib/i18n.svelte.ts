// Internationalisation for the web client.
//
// Every label the user sees goes through `t('key')`. English is the reference dictionary; the
// Chinese dictionary is typed against it, so a key missing in one language is a compile error.
// The current language is reactive state (Svelte 5 runes) persisted in localStorage; components
// that call `t()` or the formatters re-render when it changes.

import { browser } from '$app/environment';

export type Lang = 'en' | 'zh';

export const LANGS: { code: Lang; label: string; locale: string }[] = [
  { code: 'en', label: 'English', locale: 'en-US' },
  { code: 'zh', label: '简体中文', locale: 'zh-CN' },
];

const en = {
  'app.name': 'Vigil',
  'app.tagline': 'Sales analytics and risk monitoring',
  'app.version': 'Version {version}',

  'nav.main': 'Main navigation',
  'nav.openMenu': 'Open menu',
  'nav.closeMenu': 'Close menu',
  'nav.overview': 'Overview',
  'nav.customers': 'Customers',
  'nav.staff': 'Staff',
  'nav.risk': 'Risk',
  'nav.queries': 'Queries',
  'nav.data': 'Data',
  'nav.admin': 'Admin',
  'nav.skip': 'Skip to content',

  'top.asOf': 'Data as of {date}',
  'top.asOfShort': 'As of {date}',
  'top.noSnapshot': 'No data yet',
  'top.snapshotTitle': 'Snapshot {id}, created {created}',
  'top.language': 'Language',
  'top.signOut': 'Sign out',
  'top.signedInAs': 'Signed in as {name}',

  'role.executive': 'Executive',
  'role.analyst': 'Analyst',
  'role.risk_owner': 'Risk owner',
  'role.admin': 'Administrator',

  'login.title': 'Sign in',
  'login.subtitle': 'Use the account your administrator gave you.',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.failed': 'Sign-in failed',
  'login.required': 'Enter your username and password.',
  'login.continue': 'Sign in to continue to the page you asked for.',
  'login.footer': 'Access is role-based. Every sign-in is recorded in the audit log.',

  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'common.refresh': 'Refresh',
  'common.dismiss': 'Dismiss',
  'common.comingSoon': 'Coming in a later release',
  'common.plannedTitle': 'What this page will offer',
  'common.empty': '(empty)',

  'error.title': 'Something went wrong',
  'error.network': 'Cannot reach the Vigil server. Check your connection and try again.',
  'error.status': 'The server answered with status {status}.',
  'error.notFound': 'Page not found',
  'error.notFoundBody': 'There is no page at this address.',
  'error.backHome': 'Back to Overview',
  'error.forbidden': 'You do not have access to this page',
  'error.forbiddenBody': 'This page is for administrators. Ask an administrator if you need access.',

  'page.overview.title': 'Overview',
  'page.overview.lead': 'The executive dashboard: key figures for the selected period at a glance.',
  'page.overview.p1': 'GMV, net revenue, orders, average order value, conversion and repeat purchase rate',
  'page.overview.p2': 'Comparison with the previous period and the same period last year',
  'page.overview.p3': 'Trends and breakdowns by platform, category, region and member tier',
  'page.customers.title': 'Customers',
  'page.customers.lead': 'Who buys, how often, and who is slipping away.',
  'page.customers.p1': 'RFM segments such as Champions, Loyal, At Risk and Lost',
  'page.customers.p2': 'Member tiers, new versus returning customers',
  'page.customers.p3': 'Monthly cohort retention and segment movement between snapshots',
  'page.staff.title': 'Staff',
  'page.staff.lead': 'Performance of the sales and service teams.',
  'page.staff.p1': 'Sales, profit, new customers and satisfaction per person and team',
  'page.staff.p2': 'Monthly and yearly views',
  'page.staff.p3': 'Inquiry response times against the service-level target',
  'page.risk.title': 'Risk',
  'page.risk.lead': 'The risk register, the heat map and open alerts.',
  'page.risk.p1': 'Risks assessed by likelihood and impact, with responses and mitigation actions',
  'page.risk.p2': 'Inherent and residual positions on a 5 × 5 heat map',
  'page.risk.p3': 'Risk indicators with warning and critical thresholds, and their alerts',
  'page.queries.title': 'Queries',
  'page.queries.lead': 'The SQL workbench for analysts.',
  'page.queries.p1': 'Read-only SQL against the current or any earlier snapshot',
  'page.queries.p2': 'Saved queries with parameters and charts, pinned to dashboards',
  'page.queries.p3': 'Any query that returns one number can become a risk indicator',
  'page.admin.title': 'Admin',
  'page.admin.lead': 'Users, roles and settings.',
  'page.admin.p1': 'Create users and assign roles and the personal-data permission',
  'page.admin.p2': 'Settings such as the risk matrix, review intervals and email delivery',
  'page.admin.p3': 'The audit log of every change and every ad-hoc query',

  'data.title': 'Data',
  'data.lead': 'Published snapshots of the business data and the quality report of each ingest.',
  'data.snapshots': 'Snapshots',
  'data.snapshotsCount': '{n} published',
  'data.col.snapshot': 'Snapshot',
  'data.col.asOf': 'As of',
  'data.col.created': 'Created',
  'data.col.source': 'Source',
  'data.col.tables': 'Tables',
  'data.col.rows': 'Rows',
  'data.current': 'Current',
  'data.current.hint': 'The newest snapshot is what dashboards show.',
  'data.select': 'Show details of snapshot {id}',
  'data.detail.tablesNone': 'This snapshot holds no tables.',
  'data.quality.title': 'Data-quality report',
  'data.quality.loading': 'Loading the data-quality report…',
  'data.quality.unavailable': 'The data-quality report for this snapshot could not be loaded.',
  'data.quality.duration': 'Ingest ran {start} and took {duration}.',
  'data.quality.read': 'Read',
  'data.quality.accepted': 'Accepted',
  'data.quality.rejected': 'Rejected',
  'data.quality.reasons': 'Rejected by reason',
  'data.quality.noRejections': 'No rejected rows',
  'data.quality.rowsInSnapshot': 'Rows in snapshot',
  'data.quality.files': 'Source files',
  'data.quality.table': 'Table',
  'data.quality.showSamples': 'Show rejected rows ({n})',
  'data.quality.hideSamples': 'Hide rejected rows',
  'data.quality.samplesNote': 'Showing {shown} of {total} rejected rows.',
  'data.quality.samplesAll': 'All {total} rejected rows.',
  'data.quality.noSamples': 'No sample rows were kept for this table.',
  'data.sample.row': 'Row',
  'data.sample.reason': 'Reason',
  'data.sample.detail': 'Detail',
  'data.sample.file': 'File',
  'data.sources.title': 'Files split into several tables',
  'data.sources.note': 'Every line of these files is counted once: it fed the tables or it was rejected.',
  'data.sources.file': 'File',
  'data.sources.tables': 'Split into',
  'data.sample.allValues': 'All values ({n})',
  'data.missing.title': 'Tables not in this snapshot',
  'data.missing.note': 'The source did not provide these tables. Figures that need them show “no data”.',
  'data.missing.none': 'Every canonical table is present.',
  'data.warnings.title': 'Warnings',
  'data.warnings.none': 'No warnings.',
  'data.empty.title': 'No snapshot yet',
  'data.empty.body': 'Vigil has not loaded any business data. Put the platform exports (CSV, JSON lines or Parquet, one file per table) in a folder and run:',
  'data.empty.hint': 'The command cleans and checks the files, publishes a snapshot and keeps its data-quality report. Refresh this page when it has finished.',

  'reason.duplicate': 'Duplicate row',
  'reason.duplicate_key': 'Duplicate key',
  'reason.missing_required': 'Required value missing',
  'reason.bad_date': 'Invalid date',
  'reason.bad_number': 'Invalid number',
  'reason.bad_boolean': 'Invalid yes/no value',
  'reason.unknown_enum': 'Unknown code value',
  'reason.unknown_reference': 'Unknown reference',
  'reason.out_of_range': 'Value out of range',
  'reason.adjustment': 'Adjustment, not a sale',
  'reason.non_product_code': 'Not a product (postage, fee, ...)',
  'reason.zero_price': 'Zero price',
  'reason.negative_price': 'Negative price',
  'reason.negative_quantity': 'Negative quantity',
  'reason.zero_quantity': 'Zero quantity',
  'reason.missing_customer': 'Customer missing',
  'reason.refund_unmatched': 'Refunded order not found',

  'table.platforms': 'Platforms',
  'table.products': 'Products',
  'table.customers': 'Customers',
  'table.orders': 'Orders',
  'table.order_items': 'Order items',
  'table.refunds': 'Refunds',
  'table.logistics_events': 'Logistics events',
  'table.complaints': 'Complaints',
  'table.inquiries': 'Inquiries',
  'table.reviews': 'Reviews',
  'table.traffic': 'Traffic',
  'table.promotions': 'Promotions',
  'table.staff': 'Staff',
  'table.inventory': 'Inventory',
  'table.market': 'Market',

  'unit.seconds': '{n} s',
  'unit.minutes': '{m} min {s} s',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  'app.name': 'Vigil',
  'app.tagline': '销售分析与风险监控',
  'app.version': '版本 {version}',

  'nav.main': '主导航',
  'nav.openMenu': '打开菜单',
  'nav.closeMenu': '关闭菜单',
  'nav.overview': '概览',
  'nav.customers': '客户',
  'nav.staff': '员工',
  'nav.risk': '风险',
  'nav.queries': '查询',
  'nav.data': '数据',
  'nav.admin': '管理',
  'nav.skip': '跳到正文',

  'top.asOf': '数据截至 {date}',
  'top.asOfShort': '截至 {date}',
  'top.noSnapshot': '暂无数据',
  'top.snapshotTitle': '快照 {id}，创建于 {created}',
  'top.language': '语言',
  'top.signOut': '退出登录',
  'top.signedInAs': '当前用户：{name}',

  'role.executive': '管理层',
  'role.analyst': '数据分析师',
  'role.risk_owner': '风险负责人',
  'role.admin': '系统管理员',

  'login.title': '登录',
  'login.subtitle': '请使用管理员为您分配的账户。',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',
  'login.failed': '登录失败',
  'login.required': '请输入用户名和密码。',
  'login.continue': '登录后将返回您要访问的页面。',
  'login.footer': '按角色授权访问，每次登录都会记入审计日志。',

  'common.loading': '加载中…',
  'common.retry': '重试',
  'common.refresh': '刷新',
  'common.dismiss': '关闭',
  'common.comingSoon': '将在后续版本中提供',
  'common.plannedTitle': '本页面将提供',
  'common.empty': '（空）',

  'error.title': '出错了',
  'error.network': '无法连接 Vigil 服务器，请检查网络后重试。',
  'error.status': '服务器返回状态码 {status}。',
  'error.notFound': '页面不存在',
  'error.notFoundBody': '此地址没有对应的页面。',
  'error.backHome': '返回概览',
  'error.forbidden': '您无权访问此页面',
  'error.forbiddenBody': '此页面仅供系统管理员使用。如需访问，请联系管理员。',

  'page.overview.title': '概览',
  'page.overview.lead': '管理层看板：一眼掌握所选期间的关键指标。',
  'page.overview.p1': '成交额（GMV）、净收入、订单数、客单价、转化率和复购率',
  'page.overview.p2': '环比与同比对比',
  'page.overview.p3': '按平台、品类、地区和会员等级查看趋势与构成',
  'page.customers.title': '客户',
  'page.customers.lead': '谁在购买、购买频率如何、哪些客户正在流失。',
  'page.customers.p1': 'RFM 客户分群，如重要价值客户、忠诚客户、流失风险客户、已流失客户',
  'page.customers.p2': '会员等级，新客与老客',
  'page.customers.p3': '月度同期群留存，以及两个快照之间的分群迁移',
  'page.staff.title': '员工',
  'page.staff.lead': '销售与客服团队的绩效。',
  'page.staff.p1': '按人员和团队统计销售额、利润、新客户数和满意度',
  'page.staff.p2': '月度与年度视图',
  'page.staff.p3': '咨询响应时间与服务时限目标对比',
  'page.risk.title': '风险',
  'page.risk.lead': '风险登记册、风险热力图和未关闭的预警。',
  'page.risk.p1': '按可能性和影响程度评估风险，并记录应对策略和缓解措施',
  'page.risk.p2': '在 5 × 5 热力图上展示固有风险与剩余风险位置',
  'page.risk.p3': '带预警和严重阈值的风险指标及其告警',
  'page.queries.title': '查询',
  'page.queries.lead': '面向数据分析师的 SQL 工作台。',
  'page.queries.p1': '对当前或任一历史快照执行只读 SQL',
  'page.queries.p2': '保存带参数和图表的查询，并固定到看板',
  'page.queries.p3': '任何返回单个数值的查询都可以转为风险指标',
  'page.admin.title': '管理',
  'page.admin.lead': '用户、角色与系统设置。',
  'page.admin.p1': '创建用户，分配角色和个人信息查看权限',
  'page.admin.p2': '风险矩阵、复核周期、邮件发送等设置',
  'page.admin.p3': '记录每次变更和每次临时查询的审计日志',

  'data.title': '数据',
  'data.lead': '已发布的业务数据快照，以及每次导入的数据质量报告。',
  'data.snapshots': '快照',
  'data.snapshotsCount': '已发布 {n} 个',
  'data.col.snapshot': '快照',
  'data.col.asOf': '数据截至',
  'data.col.created': '创建时间',
  'data.col.source': '数据来源',
  'data.col.tables': '表数',
  'data.col.rows': '行数',
  'data.current': '当前',
  'data.current.hint': '看板显示的是最新的快照。',
  'data.select': '查看快照 {id} 的详情',
  'data.detail.tablesNone': '此快照不包含任何数据表。',
  'data.quality.title': '数据质量报告',
  'data.quality.loading': '正在加载数据质量报告…',
  'data.quality.unavailable': '无法加载此快照的数据质量报告。',
  'data.quality.duration': '导入开始于 {start}，耗时 {duration}。',
  'data.quality.read': '读取',
  'data.quality.accepted': '接受',
  'data.quality.rejected': '拒绝',
  'data.quality.reasons': '拒绝原因',
  'data.quality.noRejections': '没有被拒绝的行',
  'data.quality.rowsInSnapshot': '快照行数',
  'data.quality.files': '源文件',
  'data.quality.table': '数据表',
  'data.quality.showSamples': '查看被拒绝的行（{n}）',
  'data.quality.hideSamples': '收起被拒绝的行',
  'data.quality.samplesNote': '显示 {total} 行被拒绝数据中的 {shown} 行。',
  'data.quality.samplesAll': '全部 {total} 行被拒绝的数据。',
  'data.quality.noSamples': '此表没有保留样例行。',
  'data.sample.row': '行号',
  'data.sample.reason': '原因',
  'data.sample.detail': '说明',
  'data.sample.file': '文件',
  'data.sources.title': '拆分为多张表的文件',
  'data.sources.note': '这些文件的每一行只计一次：或写入了数据表，或被拒绝。',
  'data.sources.file': '文件',
  'data.sources.tables': '拆分为',
  'data.sample.allValues': '全部字段（{n}）',
  'data.missing.title': '此快照缺少的数据表',
  'data.missing.note': '数据来源未提供这些表，依赖它们的指标将显示“无数据”。',
  'data.missing.none': '所有标准数据表均已提供。',
  'data.warnings.title': '警告',
  'data.warnings.none': '没有警告。',
  'data.empty.title': '尚无快照',
  'data.empty.body': 'Vigil 还没有载入任何业务数据。请将各平台的导出文件（CSV、JSON Lines 或 Parquet，每张表一个文件）放入一个文件夹，然后运行：',
  'data.empty.hint': '该命令会清洗并校验文件、发布快照并保存数据质量报告。完成后请刷新本页面。',

  'reason.duplicate': '重复行',
  'reason.duplicate_key': '主键重复',
  'reason.missing_required': '缺少必填值',
  'reason.bad_date': '日期无效',
  'reason.bad_number': '数值无效',
  'reason.bad_boolean': '是/否取值无效',
  'reason.unknown_enum': '未知的代码值',
  'reason.unknown_reference': '引用的记录不存在',
  'reason.out_of_range': '取值超出范围',
  'reason.adjustment': '调整单，非销售',
  'reason.non_product_code': '非商品（邮费、手续费等）',
  'reason.zero_price': '价格为零',
  'reason.negative_price': '价格为负',
  'reason.negative_quantity': '数量为负',
  'reason.zero_quantity': '数量为零',
  'reason.missing_customer': '缺少客户',
  'reason.refund_unmatched': '找不到被退款的订单',

  'table.platforms': '平台',
  'table.products': '商品',
  'table.customers': '客户',
  'table.orders': '订单',
  'table.order_items': '订单明细',
  'table.refunds': '退款',
  'table.logistics_events': '物流异常',
  'table.complaints': '投诉',
  'table.inquiries': '咨询',
  'table.reviews': '评价',
  'table.traffic': '流量',
  'table.promotions': '促销活动',
  'table.staff': '员工',
  'table.inventory': '库存',
  'table.market': '市场规模',

  'unit.seconds': '{n} 秒',
  'unit.minutes': '{m} 分 {s} 秒',
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, zh };

const STORAGE_KEY = 'vigil.lang';

function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'zh';
}

function initialLang(): Lang {
  if (!browser) return 'en';
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // storage may be unavailable (private mode); fall through to the browser language
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

class I18n {
  lang = $state<Lang>(initialLang());

  get locale(): string {
    return LANGS.find((l) => l.code === this.lang)?.locale ?? 'en-US';
  }

  set(lang: Lang): void {
    this.lang = lang;
    if (!browser) return;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // not persisted; the choice still applies to this tab
    }
  }
}

export const i18n = new I18n();

export type Params = Record<string, string | number>;

/** Translate a key into the current language, filling `{name}` placeholders from `params`. */
export function t(key: MessageKey, params?: Params): string {
  const text = dictionaries[i18n.lang][key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** True when `key` is a message key (used for codes coming from the server, e.g. reasons). */
export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** Translate a code under a prefix (`reason.bad_date`); unknown codes are returned raw. */
export function label(prefix: 'reason' | 'table' | 'role', code: string): string {
  const key = `${prefix}.${code}`;
  return hasKey(key) ? t(key) : code;
}

// ---------------------------------------------------------------------------------------------
// Formatting. Each formatter reads the current locale, so it re-runs when the language changes.

export function fmtNumber(value: number | null | undefined, options?: Intl.NumberFormatOptions): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return new Intl.NumberFormat(i18n.locale, options).format(value);
}

export function fmtPercent(value: number | null | undefined, digits = 1): string {
  return fmtNumber(value, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A share (0…1) for small rates: tiny non-zero shares never round to "0 %". */
export function fmtShare(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  if (ratio === 0) return fmtPercent(0, 0);
  if (ratio < 0.0001) return '<' + fmtPercent(0.0001, 2);
  return fmtPercent(ratio, ratio < 0.01 ? 2 : 1);
}

/** A calendar date (`2024-06-30`); no time-zone shift is applied. */
export function fmtDate(value: string | null | undefined): string {
  if (!value) return '–';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** A point in time (ISO timestamp), shown in the viewer's local time. */
export function fmtDateTime(value: string | null | undefined): string {
  if (!value) return '–';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A duration in milliseconds, rounded to seconds (sub-second durations keep one decimal). */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const seconds = ms / 1000;
  if (seconds < 60) {
    return t('unit.seconds', { n: fmtNumber(seconds, { maximumFractionDigits: seconds < 10 ? 1 : 0 }) });
  }
  const whole = Math.round(seconds);
  return t('unit.minutes', { m: fmtNumber(Math.floor(whole / 60)), s: fmtNumber(whole % 60) });
}

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

  'ov.lead': 'Key figures for the selected period, compared with the previous period and the same period last year.',
  'ov.sales': 'Sales',
  'ov.trend': 'GMV trend by platform',
  'ov.byPlatform': 'GMV by platform',
  'ov.funnel': 'Conversion funnel',
  'ov.topCategories': 'Top categories by GMV',
  'ov.topProducts': 'Top products by GMV',
  'ov.regions': 'GMV by region',
  'ov.service': 'Service quality',
  'ov.risk': 'Risk',
  'ov.alerts': 'Open alerts',
  'ov.alerts.body': 'Risk indicators that cross their warning or critical thresholds will be listed here, newest first, with severity, owner and the linked risk.',
  'ov.heatmap': 'Risk heat map',
  'ov.heatmap.body': 'Risks placed by likelihood and impact, inherent and residual, once the risk register is in use.',
  'ov.comingWithRisk': 'Arrives with the risk register',
  'ov.clickToFilter': 'Click a bar to filter the page by it',
  'ov.ofVisitors': '{pct} of visitors',
  'ov.perVisitor': '{n} per visitor',
  'ov.total': 'Total',
  'ov.share': 'Share',
  'ov.noSnapshot': 'No business data has been loaded yet, so there is nothing to show.',
  'ov.goToData': 'Open the Data page',
  'ov.filterBy': 'Filter by {name}',
  'ov.likelihood': 'Likelihood',
  'ov.impact': 'Impact',

  'filter.bar': 'Filters',
  'filter.range': 'Period',
  'filter.preset.7d': 'Last 7 days',
  'filter.preset.30d': 'Last 30 days',
  'filter.preset.90d': 'Last 90 days',
  'filter.preset.mtd': 'Month to date',
  'filter.preset.qtd': 'Quarter to date',
  'filter.preset.ytd': 'Year to date',
  'filter.preset.custom': 'Custom range',
  'filter.short.7d': '7D',
  'filter.short.30d': '30D',
  'filter.short.90d': '90D',
  'filter.short.mtd': 'MTD',
  'filter.short.qtd': 'QTD',
  'filter.short.ytd': 'YTD',
  'filter.short.custom': 'Custom',
  'filter.from': 'From',
  'filter.to': 'To',
  'filter.days': '{n} days',
  'filter.oneDay': '1 day',
  'filter.compare': 'Compare with',
  'filter.compare.previous': 'Previous period',
  'filter.compare.yoy': 'Same period last year',
  'filter.all': 'All',
  'filter.nSelected': '{n} selected',
  'filter.search': 'Search…',
  'filter.selectAll': 'Select all',
  'filter.clear': 'Clear',
  'filter.apply': 'Apply',
  'filter.cancel': 'Cancel',
  'filter.clearAll': 'Clear all',
  'filter.remove': 'Remove filter {name}',
  'filter.noMatch': 'No matching values',
  'filter.invalidRange': 'The start date must not be after the end date.',
  'filter.active': 'Active filters',

  'dim.platform': 'Platform',
  'dim.category': 'Category',
  'dim.region': 'Region',
  'dim.member_tier': 'Member tier',
  'dim.product': 'Product',
  'dim.carrier': 'Carrier',
  'dim.promotion': 'Promotion',

  'cat.skincare': 'Skincare',
  'cat.makeup': 'Makeup',
  'cat.personal_care': 'Personal care',
  'cat.baby': 'Baby',
  'cat.home': 'Home',
  'cat.kitchen': 'Kitchen',
  'cat.small_appliances': 'Small appliances',
  'cat.snacks': 'Snacks',
  'cat.beverages': 'Beverages',
  'cat.health': 'Health',
  'cat.apparel': 'Apparel',
  'cat.pet': 'Pet supplies',
  'tier.none': 'Non-member',
  'tier.silver': 'Silver',
  'tier.gold': 'Gold',
  'tier.platinum': 'Platinum',
  'tier.diamond': 'Diamond',
  'promotion.none': '(no promotion)',

  'grain.label': 'Granularity',
  'grain.day': 'Day',
  'grain.week': 'Week',
  'grain.month': 'Month',
  'grain.weekOf': 'Week of {date}',

  'kpi.prevShort': 'vs prev.',
  'kpi.yoyShort': 'vs LY',
  'kpi.vsPrevious': 'vs previous period',
  'kpi.vsYoy': 'vs same period last year',
  'kpi.noData': 'No data',
  'kpi.noComparison': 'no comparison',
  'kpi.openDetail': 'Details of {name}',
  'kpi.numerator': 'Numerator',
  'kpi.denominator': 'Denominator',
  'kpi.sample': '{num} of {den}',
  'kpi.definition': 'Definition',
  'kpi.unit': 'Unit',
  'kpi.direction': 'Direction',
  'kpi.dir.higher_is_better': 'Higher is better',
  'kpi.dir.higher_is_worse': 'Lower is better',
  'kpi.dir.neutral': 'Neither better nor worse',
  'kpi.tables': 'Computed from',
  'kpi.series': 'Trend',
  'kpi.breakdown': 'Breakdown',
  'kpi.back': 'Overview',
  'kpi.notFound': 'There is no KPI “{id}” in this snapshot’s catalog.',
  'kpi.previousPeriod': 'Previous period',
  'kpi.lastYear': 'Same period last year',
  'kpi.current': 'Selected period',
  'kpi.period': 'Period',
  'kpi.value': 'Value',
  'kpi.change': 'Change',
  'kpi.topN': 'Top {n} shown in the chart; the table lists all {total} rows.',
  'kpi.noBreakdowns': 'This KPI cannot be broken down.',
  'kpi.breakdownBy': 'Breakdown by',

  'unit.money': 'Money (¥)',
  'unit.count': 'Count',
  'unit.percent': 'Percent',
  'unit.permille': 'Per mille (‰)',
  'unit.secondsName': 'Seconds',
  'unit.rating': 'Rating (1–5)',
  'unit.pp': '{n} pp',

  'chart.exportPng': 'Download the chart as PNG',
  'chart.exportCsv': 'Download the data as CSV',
  'chart.noData': 'No data for this filter',
  'chart.noDataHint': 'Try a longer period or remove a filter.',
  'chart.updating': 'Updating…',
  'chart.loadFailed': 'This chart could not be loaded',
  'chart.table': 'Table',

  'why.noTable': 'no data: the snapshot has no {table} table',
  'why.filtered': 'cannot be filtered by {dim}: {table} has no {dim}',
  'why.split': 'cannot be split by {dim}: {table} has no {dim}',
  'why.noData': 'no data in this period',
  'why.orders': 'no orders in this period',
  'why.buyers': 'no buyers in this period',
  'why.reviews': 'no reviews in this period',
  'why.shipped': 'no shipped orders in this period',
  'why.answered': 'no answered inquiries in this period',
  'why.visitors': 'no visitors in this period',
  'why.cost': 'no sales of products with a unit cost in this period',
  'why.inventory': 'no inventory of active products in this period',
  'why.floor': 'no order lines with a floor price in this period',
  'why.market': 'no market size for this period',
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

  'ov.lead': '所选期间的关键指标，并与上一周期（环比）和去年同期（同比）对比。',
  'ov.sales': '销售',
  'ov.trend': '各平台 GMV 趋势',
  'ov.byPlatform': '各平台 GMV',
  'ov.funnel': '转化漏斗',
  'ov.topCategories': 'GMV 前列品类',
  'ov.topProducts': 'GMV 前列商品',
  'ov.regions': '各地区 GMV',
  'ov.service': '服务质量',
  'ov.risk': '风险',
  'ov.alerts': '未处理预警',
  'ov.alerts.body': '超过警告或严重阈值的风险指标将在此列出，按时间倒序，并显示严重程度、负责人和关联风险。',
  'ov.heatmap': '风险热力图',
  'ov.heatmap.body': '风险登记册启用后，按可能性和影响程度展示各项风险的固有与剩余位置。',
  'ov.comingWithRisk': '随风险登记册上线',
  'ov.clickToFilter': '点击柱形即可按其筛选本页',
  'ov.ofVisitors': '占访客 {pct}',
  'ov.perVisitor': '人均 {n} 次',
  'ov.total': '合计',
  'ov.share': '占比',
  'ov.noSnapshot': '尚未加载任何业务数据，暂无可显示的内容。',
  'ov.goToData': '前往数据页面',
  'ov.filterBy': '按“{name}”筛选',
  'ov.likelihood': '可能性',
  'ov.impact': '影响程度',

  'filter.bar': '筛选条件',
  'filter.range': '时间范围',
  'filter.preset.7d': '近 7 天',
  'filter.preset.30d': '近 30 天',
  'filter.preset.90d': '近 90 天',
  'filter.preset.mtd': '本月至今',
  'filter.preset.qtd': '本季度至今',
  'filter.preset.ytd': '本年至今',
  'filter.preset.custom': '自定义范围',
  'filter.short.7d': '7天',
  'filter.short.30d': '30天',
  'filter.short.90d': '90天',
  'filter.short.mtd': '本月',
  'filter.short.qtd': '本季',
  'filter.short.ytd': '本年',
  'filter.short.custom': '自定义',
  'filter.from': '开始日期',
  'filter.to': '结束日期',
  'filter.days': '{n} 天',
  'filter.oneDay': '1 天',
  'filter.compare': '对比',
  'filter.compare.previous': '上一周期（环比）',
  'filter.compare.yoy': '去年同期（同比）',
  'filter.all': '全部',
  'filter.nSelected': '已选 {n} 项',
  'filter.search': '搜索…',
  'filter.selectAll': '全选',
  'filter.clear': '清除',
  'filter.apply': '应用',
  'filter.cancel': '取消',
  'filter.clearAll': '全部清除',
  'filter.remove': '移除筛选条件 {name}',
  'filter.noMatch': '没有匹配的值',
  'filter.invalidRange': '开始日期不能晚于结束日期。',
  'filter.active': '当前筛选条件',

  'dim.platform': '平台',
  'dim.category': '品类',
  'dim.region': '地区',
  'dim.member_tier': '会员等级',
  'dim.product': '商品',
  'dim.carrier': '承运商',
  'dim.promotion': '促销活动',

  'cat.skincare': '护肤',
  'cat.makeup': '彩妆',
  'cat.personal_care': '个人护理',
  'cat.baby': '母婴',
  'cat.home': '家居',
  'cat.kitchen': '厨具',
  'cat.small_appliances': '小家电',
  'cat.snacks': '零食',
  'cat.beverages': '饮品',
  'cat.health': '保健',
  'cat.apparel': '服饰',
  'cat.pet': '宠物用品',
  'tier.none': '非会员',
  'tier.silver': '银卡',
  'tier.gold': '金卡',
  'tier.platinum': '白金卡',
  'tier.diamond': '钻石卡',
  'promotion.none': '（无促销）',

  'grain.label': '粒度',
  'grain.day': '日',
  'grain.week': '周',
  'grain.month': '月',
  'grain.weekOf': '{date} 当周',

  'kpi.prevShort': '环比',
  'kpi.yoyShort': '同比',
  'kpi.vsPrevious': '与上一周期相比',
  'kpi.vsYoy': '与去年同期相比',
  'kpi.noData': '无数据',
  'kpi.noComparison': '无可比数据',
  'kpi.openDetail': '{name} 详情',
  'kpi.numerator': '分子',
  'kpi.denominator': '分母',
  'kpi.sample': '{num} / {den}',
  'kpi.definition': '定义',
  'kpi.unit': '单位',
  'kpi.direction': '方向',
  'kpi.dir.higher_is_better': '越高越好',
  'kpi.dir.higher_is_worse': '越低越好',
  'kpi.dir.neutral': '无好坏之分',
  'kpi.tables': '计算所用数据表',
  'kpi.series': '趋势',
  'kpi.breakdown': '构成',
  'kpi.back': '概览',
  'kpi.notFound': '此快照的指标目录中没有“{id}”。',
  'kpi.previousPeriod': '上一周期',
  'kpi.lastYear': '去年同期',
  'kpi.current': '所选期间',
  'kpi.period': '周期',
  'kpi.value': '数值',
  'kpi.change': '变化',
  'kpi.topN': '图表显示前 {n} 项，表格列出全部 {total} 行。',
  'kpi.noBreakdowns': '此指标不支持分解。',
  'kpi.breakdownBy': '分解维度',

  'unit.money': '金额（元）',
  'unit.count': '数量',
  'unit.percent': '百分比',
  'unit.permille': '千分比（‰）',
  'unit.secondsName': '秒',
  'unit.rating': '评分（1–5）',
  'unit.pp': '{n} 个百分点',

  'chart.exportPng': '下载图表（PNG）',
  'chart.exportCsv': '下载数据（CSV）',
  'chart.noData': '当前筛选条件下没有数据',
  'chart.noDataHint': '请尝试更长的时间范围，或移除某个筛选条件。',
  'chart.updating': '正在更新…',
  'chart.loadFailed': '此图表无法加载',
  'chart.table': '表格',

  'why.noTable': '无数据：此快照没有“{table}”表',
  'why.filtered': '无法按{dim}筛选：“{table}”表没有{dim}信息',
  'why.split': '无法按{dim}分解：“{table}”表没有{dim}信息',
  'why.noData': '此期间没有数据',
  'why.orders': '此期间没有有效订单',
  'why.buyers': '此期间没有购买客户',
  'why.reviews': '此期间没有评价',
  'why.shipped': '此期间没有已发货订单',
  'why.answered': '此期间没有已回复的咨询',
  'why.visitors': '此期间没有访客数据',
  'why.cost': '此期间没有有成本价商品的销售',
  'why.inventory': '此期间没有在售商品的库存记录',
  'why.floor': '此期间没有设有最低价的订单行',
  'why.market': '此期间没有市场规模数据',
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

// The canonical tables of DESIGN.md as data: the generator writes them, ingest checks against
// them, the query service exposes them. One declaration serves all three.

export type ColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DECIMAL(18,2)' | 'DECIMAL(6,4)' | 'DATE' | 'TIMESTAMP' | 'BOOLEAN';

export interface Column {
  name: string;
  type: ColumnType;
  /** a row without a value here is rejected */
  required?: boolean;
  /** allowed values (lower-case canonical spellings) */
  enum?: readonly string[];
  /** personal data, masked for users without the `pii` permission */
  personal?: boolean;
  /** must match a key of another table when set */
  references?: { table: TableName; column: string };
}

export interface TableDef {
  name: TableName;
  columns: Column[];
  /** columns that identify a row; duplicates on them are rejected */
  key: string[];
}

export const TABLE_NAMES = [
  'platforms', 'products', 'customers', 'orders', 'order_items', 'refunds', 'logistics_events',
  'complaints', 'inquiries', 'reviews', 'traffic', 'promotions', 'staff', 'inventory', 'market',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const ENUMS = {
  platformKind: ['marketplace', 'own_site', 'social', 'mini_program'],
  orderStatus: ['pending', 'paid', 'shipped', 'delivered', 'cancelled'],
  refundStatus: ['requested', 'approved', 'rejected'],
  logisticsKind: ['delay', 'damage', 'lost', 'address_error', 'returned'],
  complaintCategory: ['product_quality', 'delivery', 'service', 'false_advertising', 'pricing', 'privacy', 'other'],
  severity: ['minor', 'major', 'critical'],
  complaintStatus: ['open', 'investigating', 'resolved', 'closed'],
  promotionKind: ['discount', 'full_reduction', 'gift', 'lottery'],
  staffRole: ['sales', 'service'],
  productStatus: ['active', 'discontinued'],
  memberTier: ['none', 'silver', 'gold', 'platinum', 'diamond'],
  channel: ['chat', 'phone', 'email', 'platform'],
} as const;

const ref = (table: TableName, column: string) => ({ table, column });

export const TABLES: Record<TableName, TableDef> = {
  platforms: {
    name: 'platforms', key: ['platform_id'],
    columns: [
      { name: 'platform_id', type: 'VARCHAR', required: true },
      { name: 'name', type: 'VARCHAR', required: true },
      { name: 'kind', type: 'VARCHAR', required: true, enum: ENUMS.platformKind },
      { name: 'commission_rate', type: 'DECIMAL(6,4)' },
    ],
  },
  products: {
    name: 'products', key: ['sku'],
    columns: [
      { name: 'sku', type: 'VARCHAR', required: true },
      { name: 'name', type: 'VARCHAR' },
      { name: 'category', type: 'VARCHAR' },
      { name: 'unit_cost', type: 'DECIMAL(18,2)' },
      { name: 'list_price', type: 'DECIMAL(18,2)' },
      { name: 'floor_price', type: 'DECIMAL(18,2)' },
      { name: 'launched_on', type: 'DATE' },
      { name: 'status', type: 'VARCHAR', enum: ENUMS.productStatus },
    ],
  },
  customers: {
    name: 'customers', key: ['customer_id'],
    columns: [
      { name: 'customer_id', type: 'VARCHAR', required: true },
      { name: 'platform_id', type: 'VARCHAR', references: ref('platforms', 'platform_id') },
      { name: 'first_seen_at', type: 'TIMESTAMP' },
      { name: 'region', type: 'VARCHAR' },
      { name: 'city', type: 'VARCHAR' },
      { name: 'member_tier', type: 'VARCHAR', enum: ENUMS.memberTier },
      { name: 'name', type: 'VARCHAR', personal: true },
      { name: 'phone', type: 'VARCHAR', personal: true },
      { name: 'address', type: 'VARCHAR', personal: true },
    ],
  },
  orders: {
    name: 'orders', key: ['order_id'],
    columns: [
      { name: 'order_id', type: 'VARCHAR', required: true },
      { name: 'platform_id', type: 'VARCHAR', required: true, references: ref('platforms', 'platform_id') },
      { name: 'customer_id', type: 'VARCHAR', references: ref('customers', 'customer_id') },
      { name: 'ordered_at', type: 'TIMESTAMP', required: true },
      { name: 'paid_at', type: 'TIMESTAMP' },
      { name: 'status', type: 'VARCHAR', required: true, enum: ENUMS.orderStatus },
      { name: 'items_amount', type: 'DECIMAL(18,2)' },
      { name: 'discount_amount', type: 'DECIMAL(18,2)' },
      { name: 'shipping_fee', type: 'DECIMAL(18,2)' },
      { name: 'paid_amount', type: 'DECIMAL(18,2)', required: true },
      { name: 'promotion_id', type: 'VARCHAR', references: ref('promotions', 'promotion_id') },
      { name: 'salesperson_id', type: 'VARCHAR', references: ref('staff', 'staff_id') },
      { name: 'promised_ship_by', type: 'TIMESTAMP' },
      { name: 'shipped_at', type: 'TIMESTAMP' },
      { name: 'delivered_at', type: 'TIMESTAMP' },
      { name: 'carrier', type: 'VARCHAR' },
      { name: 'region', type: 'VARCHAR' },
    ],
  },
  order_items: {
    name: 'order_items', key: ['order_id', 'line_no'],
    columns: [
      { name: 'order_id', type: 'VARCHAR', required: true, references: ref('orders', 'order_id') },
      { name: 'line_no', type: 'INTEGER', required: true },
      { name: 'sku', type: 'VARCHAR', required: true, references: ref('products', 'sku') },
      { name: 'quantity', type: 'INTEGER', required: true },
      { name: 'unit_price', type: 'DECIMAL(18,2)', required: true },
    ],
  },
  refunds: {
    name: 'refunds', key: ['refund_id'],
    columns: [
      { name: 'refund_id', type: 'VARCHAR', required: true },
      { name: 'order_id', type: 'VARCHAR', required: true, references: ref('orders', 'order_id') },
      { name: 'requested_at', type: 'TIMESTAMP', required: true },
      { name: 'amount', type: 'DECIMAL(18,2)', required: true },
      { name: 'reason', type: 'VARCHAR' },
      { name: 'status', type: 'VARCHAR', required: true, enum: ENUMS.refundStatus },
    ],
  },
  logistics_events: {
    name: 'logistics_events', key: ['order_id', 'occurred_at', 'kind'],
    columns: [
      { name: 'order_id', type: 'VARCHAR', required: true, references: ref('orders', 'order_id') },
      { name: 'occurred_at', type: 'TIMESTAMP', required: true },
      { name: 'kind', type: 'VARCHAR', required: true, enum: ENUMS.logisticsKind },
      { name: 'resolved_at', type: 'TIMESTAMP' },
    ],
  },
  complaints: {
    name: 'complaints', key: ['complaint_id'],
    columns: [
      { name: 'complaint_id', type: 'VARCHAR', required: true },
      { name: 'order_id', type: 'VARCHAR', references: ref('orders', 'order_id') },
      { name: 'customer_id', type: 'VARCHAR', references: ref('customers', 'customer_id') },
      { name: 'platform_id', type: 'VARCHAR', required: true, references: ref('platforms', 'platform_id') },
      { name: 'received_at', type: 'TIMESTAMP', required: true },
      { name: 'channel', type: 'VARCHAR', enum: ENUMS.channel },
      { name: 'category', type: 'VARCHAR', required: true, enum: ENUMS.complaintCategory },
      { name: 'severity', type: 'VARCHAR', required: true, enum: ENUMS.severity },
      { name: 'status', type: 'VARCHAR', enum: ENUMS.complaintStatus },
      { name: 'resolved_at', type: 'TIMESTAMP' },
      { name: 'satisfaction', type: 'INTEGER' },
    ],
  },
  inquiries: {
    name: 'inquiries', key: ['inquiry_id'],
    columns: [
      { name: 'inquiry_id', type: 'VARCHAR', required: true },
      { name: 'platform_id', type: 'VARCHAR', required: true, references: ref('platforms', 'platform_id') },
      { name: 'customer_id', type: 'VARCHAR', references: ref('customers', 'customer_id') },
      { name: 'agent_id', type: 'VARCHAR', references: ref('staff', 'staff_id') },
      { name: 'channel', type: 'VARCHAR', enum: ENUMS.channel },
      { name: 'received_at', type: 'TIMESTAMP', required: true },
      { name: 'first_response_at', type: 'TIMESTAMP' },
      { name: 'resolved_at', type: 'TIMESTAMP' },
      { name: 'topic', type: 'VARCHAR' },
    ],
  },
  reviews: {
    name: 'reviews', key: ['review_id'],
    columns: [
      { name: 'review_id', type: 'VARCHAR', required: true },
      { name: 'order_id', type: 'VARCHAR', references: ref('orders', 'order_id') },
      { name: 'sku', type: 'VARCHAR', references: ref('products', 'sku') },
      { name: 'rating', type: 'INTEGER', required: true },
      { name: 'created_at', type: 'TIMESTAMP', required: true },
    ],
  },
  traffic: {
    name: 'traffic', key: ['date', 'platform_id'],
    columns: [
      { name: 'date', type: 'DATE', required: true },
      { name: 'platform_id', type: 'VARCHAR', required: true, references: ref('platforms', 'platform_id') },
      { name: 'visitors', type: 'BIGINT', required: true },
      { name: 'product_views', type: 'BIGINT' },
      { name: 'add_to_cart', type: 'BIGINT' },
    ],
  },
  promotions: {
    name: 'promotions', key: ['promotion_id'],
    columns: [
      { name: 'promotion_id', type: 'VARCHAR', required: true },
      { name: 'name', type: 'VARCHAR' },
      { name: 'kind', type: 'VARCHAR', required: true, enum: ENUMS.promotionKind },
      { name: 'starts_at', type: 'TIMESTAMP' },
      { name: 'ends_at', type: 'TIMESTAMP' },
      { name: 'approved', type: 'BOOLEAN', required: true },
    ],
  },
  staff: {
    name: 'staff', key: ['staff_id'],
    columns: [
      { name: 'staff_id', type: 'VARCHAR', required: true },
      { name: 'name', type: 'VARCHAR' },
      { name: 'role', type: 'VARCHAR', required: true, enum: ENUMS.staffRole },
      { name: 'team', type: 'VARCHAR' },
      { name: 'hired_on', type: 'DATE' },
      { name: 'left_on', type: 'DATE' },
    ],
  },
  inventory: {
    name: 'inventory', key: ['date', 'sku'],
    columns: [
      { name: 'date', type: 'DATE', required: true },
      { name: 'sku', type: 'VARCHAR', required: true, references: ref('products', 'sku') },
      { name: 'on_hand', type: 'INTEGER', required: true },
    ],
  },
  market: {
    name: 'market', key: ['month', 'category'],
    columns: [
      { name: 'month', type: 'DATE', required: true },
      { name: 'category', type: 'VARCHAR', required: true },
      { name: 'market_size', type: 'DECIMAL(18,2)', required: true },
    ],
  },
};

/** Tables in an order where every referenced table comes before the tables referring to it. */
export const TABLE_ORDER: TableName[] = [
  'platforms', 'promotions', 'staff', 'products', 'customers', 'orders', 'order_items', 'refunds',
  'logistics_events', 'complaints', 'inquiries', 'reviews', 'traffic', 'inventory', 'market',
];

export function isTableName(name: string): name is TableName {
  return (TABLE_NAMES as readonly string[]).includes(name);
}

export function personalColumns(table: TableName): string[] {
  return TABLES[table].columns.filter((c) => c.personal).map((c) => c.name);
}

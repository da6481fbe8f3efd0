// What the company sells: categories with their price bands and product nouns.

export interface CategorySpec {
  id: string;
  /** relative number of SKUs */
  weight: number;
  /** list price band, yuan */
  price: readonly [number, number];
  nouns: readonly string[];
}

export const SKU_COUNT = 600;

export const CATEGORIES: readonly CategorySpec[] = [
  { id: 'skincare', weight: 12, price: [59, 599], nouns: ['保湿面霜', '精华液', '爽肤水', '洁面乳', '眼霜', '防晒霜', '面膜'] },
  { id: 'makeup', weight: 9, price: [49, 399], nouns: ['口红', '粉底液', '眼影盘', '睫毛膏', '腮红', '散粉'] },
  { id: 'personal_care', weight: 10, price: [19, 129], nouns: ['洗发水', '沐浴露', '牙膏', '护手霜', '电动牙刷头'] },
  { id: 'baby', weight: 7, price: [39, 299], nouns: ['纸尿裤', '婴儿湿巾', '奶瓶', '婴儿洗护套装'] },
  { id: 'home', weight: 8, price: [29, 899], nouns: ['四件套', '羽绒被', '乳胶枕', '收纳箱', '毛巾'] },
  { id: 'kitchen', weight: 8, price: [39, 499], nouns: ['不粘锅', '刀具套装', '保温杯', '砧板', '餐具套装'] },
  { id: 'small_appliances', weight: 7, price: [99, 1299], nouns: ['电饭煲', '空气炸锅', '吹风机', '破壁机', '电热水壶', '加湿器'] },
  { id: 'snacks', weight: 9, price: [19, 199], nouns: ['坚果礼盒', '牛肉干', '饼干', '果干', '巧克力'] },
  { id: 'beverages', weight: 7, price: [19, 299], nouns: ['挂耳咖啡', '茶叶礼盒', '燕麦奶', '气泡水'] },
  { id: 'health', weight: 8, price: [59, 459], nouns: ['维生素C片', '鱼油软胶囊', '益生菌', '蛋白粉', '钙片'] },
  { id: 'apparel', weight: 9, price: [29, 899], nouns: ['T恤', '卫衣', '羽绒服', '运动裤', '袜子'] },
  { id: 'pet', weight: 6, price: [29, 299], nouns: ['猫粮', '狗粮', '猫砂', '宠物零食'] },
];

export const SERIES = ['云朵', '臻选', '轻盈', '极光', '悦享', '简约', '清新', '经典', '星耀', '暖阳'] as const;

export const EDITIONS = ['', ' 升级款', ' 家庭装', ' 旅行装', ' 礼盒装', ' 二代'] as const;

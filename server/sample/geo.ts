// Where customers live: provinces weighted roughly by online spending, a few cities each, and the
// parts of a street address. Names are official forms, as map layers spell them.

export interface Province {
  name: string;
  weight: number;
  cities: readonly string[];
}

export const PROVINCES: readonly Province[] = [
  { name: '广东省', weight: 12, cities: ['广州市', '深圳市', '东莞市', '佛山市'] },
  { name: '浙江省', weight: 8, cities: ['杭州市', '宁波市', '温州市'] },
  { name: '江苏省', weight: 8, cities: ['南京市', '苏州市', '无锡市'] },
  { name: '上海市', weight: 6, cities: ['上海市'] },
  { name: '山东省', weight: 6, cities: ['济南市', '青岛市', '烟台市'] },
  { name: '北京市', weight: 5, cities: ['北京市'] },
  { name: '河南省', weight: 5, cities: ['郑州市', '洛阳市'] },
  { name: '四川省', weight: 5, cities: ['成都市', '绵阳市'] },
  { name: '湖北省', weight: 4, cities: ['武汉市', '宜昌市'] },
  { name: '湖南省', weight: 4, cities: ['长沙市', '株洲市'] },
  { name: '福建省', weight: 4, cities: ['福州市', '厦门市', '泉州市'] },
  { name: '河北省', weight: 4, cities: ['石家庄市', '保定市'] },
  { name: '安徽省', weight: 3, cities: ['合肥市', '芜湖市'] },
  { name: '陕西省', weight: 3, cities: ['西安市', '咸阳市'] },
  { name: '重庆市', weight: 3, cities: ['重庆市'] },
  { name: '辽宁省', weight: 3, cities: ['沈阳市', '大连市'] },
  { name: '天津市', weight: 2, cities: ['天津市'] },
  { name: '江西省', weight: 2, cities: ['南昌市', '赣州市'] },
  { name: '广西壮族自治区', weight: 2, cities: ['南宁市', '桂林市'] },
  { name: '云南省', weight: 2, cities: ['昆明市', '曲靖市'] },
  { name: '山西省', weight: 2, cities: ['太原市', '大同市'] },
  { name: '黑龙江省', weight: 2, cities: ['哈尔滨市', '大庆市'] },
  { name: '吉林省', weight: 1.5, cities: ['长春市', '吉林市'] },
  { name: '贵州省', weight: 1.5, cities: ['贵阳市', '遵义市'] },
  { name: '内蒙古自治区', weight: 1, cities: ['呼和浩特市', '包头市'] },
  { name: '新疆维吾尔自治区', weight: 1, cities: ['乌鲁木齐市'] },
  { name: '甘肃省', weight: 1, cities: ['兰州市'] },
  { name: '海南省', weight: 1, cities: ['海口市', '三亚市'] },
  { name: '宁夏回族自治区', weight: 0.5, cities: ['银川市'] },
  { name: '青海省', weight: 0.4, cities: ['西宁市'] },
  { name: '西藏自治区', weight: 0.2, cities: ['拉萨市'] },
];

export const DISTRICTS = ['城关区', '新城区', '高新区', '经开区', '滨江区', '东城区', '西城区', '南湖区', '北苑区', '江南区'] as const;

export const STREETS = [
  '人民路', '解放路', '中山路', '建设路', '和平路', '长江路', '黄河路', '文化路', '新华路', '胜利路',
  '学府路', '青年路', '光明路', '朝阳路', '幸福路', '迎宾大道', '湖滨路', '友谊路', '工业大道', '金桥路',
] as const;

// Chinese personal names from common surnames and given-name characters, all within GB2312 so
// that the GBK export can encode them.
import { element, strList } from './sqlText.ts';

const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗',
  '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡',
  '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金',
] as const;

const GIVEN = [
  '伟', '芳', '娜', '秀', '英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '兰',
  '霞', '平', '刚', '桂', '华', '玉', '萍', '红', '玲', '芬', '燕', '彬', '鹏', '辉', '俊', '帆', '婷', '雪', '慧', '建',
  '国', '志', '宇', '浩', '然', '子', '轩', '欣', '怡', '梓', '涵', '诗', '雨', '晨', '阳', '博', '文', '佳', '琪', '思',
  '远', '雅', '嘉', '一', '鸣', '晓', '丹', '凯', '瑞', '昊',
] as const;

/** A name of one or two given characters, drawn by hashing `key` with `salt`. */
export function personNameSql(key: string, salt: string): string {
  const given = strList(GIVEN);
  const draw = (part: string) => `rnd(${key}, '${salt}:${part}')`;
  return `${element(strList(SURNAMES), draw('surname'))} || ${element(given, draw('given1'))}
    || CASE WHEN ${draw('two')} < 0.65 THEN ${element(given, draw('given2'))} ELSE '' END`;
}

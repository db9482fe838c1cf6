-- The 13 information categories of the national public credit information catalogue (全国公共信用信息
-- 基础目录, 2024 edition; REFERENCE §8). Information outside them must not enter a credit record;
-- every feed of the catalogue names one, and fct_credit_record is tested against this list.
{{ config(materialized='table') }}

select category_number, category_code, name_zh, name_en
from (values
    (1, 'registration', '登记注册基本信息', 'Registration basics'),
    (2, 'judicial', '司法裁判及执行信息', 'Court judgements and enforcement'),
    (3, 'administrative', '行政管理信息', 'Administrative management'),
    (4, 'professional', '职称和职业(资格)信息', 'Professional titles and qualifications'),
    (5, 'abnormal_operation', '经营(活动)异常名录(状态)信息', 'Abnormal operation directory'),
    (6, 'serious_dishonesty', '严重失信主体名单信息', 'Serious dishonesty list'),
    (7, 'contract_performance', '合同履行信息', 'Contract performance'),
    (8, 'commitment', '信用承诺及履行情况信息', 'Credit commitments and their performance'),
    (9, 'evaluation', '信用评价结果信息', 'Credit evaluation results'),
    (10, 'legal_compliance', '遵守法律法规情况信息', 'Compliance with laws and regulations'),
    (11, 'honours', '诚实守信相关荣誉信息', 'Honours for integrity'),
    (12, 'intellectual_property', '知识产权信息', 'Intellectual property'),
    (13, 'voluntary', '市场主体自愿提供的信用信息', 'Information supplied voluntarily by the subject')
) as categories (category_number, category_code, name_zh, name_en)

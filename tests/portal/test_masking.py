"""The one masking rule: 身份证号 and phones alike on every page and in free text."""

from portal.masking import mask_id_number, mask_phone, mask_pii


def test_free_text_masks_id_and_phone_with_the_field_rule():
    text = "身份证号码420111197903151234，电话13812345678。"
    masked = mask_pii(text)
    assert masked == "身份证号码420***********1234，电话138****5678。"
    assert len(masked) == len(text)  # offsets of highlighted spans stay valid
    assert "420111197903151234" not in masked
    # The same rule as the field filters.
    assert mask_id_number("420111197903151234") in masked
    assert mask_phone("13812345678") in masked


def test_free_text_masking_is_idempotent_and_keeps_other_numbers():
    text = "ID42011119790315123x 号码13812345678 罚款5000元 案号2026001"
    once = mask_pii(text)
    assert once == "ID420***********123x 号码138****5678 罚款5000元 案号2026001"
    assert mask_pii(once) == once
    # A longer digit run is not an ID number or a phone.
    assert mask_pii("1381234567890") == "1381234567890"
    assert mask_pii(None) == ""


def test_template_filters_use_the_same_rule(app):
    with app.app_context():
        render = app.jinja_env.from_string(
            "{{ a|mask_id }} {{ b|mask_phone }} {{ c|mask_pii }}"
        ).render
        assert render(a="420111197903151234", b="13812345678", c="13812345678") == (
            "420***********1234 138****5678 138****5678"
        )

"""ID photos (证件照, issue #12): validation by content, re-encoding without
metadata, storage, audit, and who may change whose photo."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.audit.models import AuditLog
from portal.auth import photos
from portal.extensions import db
from portal.storage import get_storage


def jpeg_with_exif(size=(300, 400)):
    """A JPEG carrying GPS position, a camera make and orientation 6 (rotate 90°)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(size=(300, 420), colour=(200, 30, 30, 255)):
    out = io.BytesIO()
    Image.new("RGBA", size, colour).save(out, "PNG")
    return out.getvalue()


def audits(action, user):
    return db.session.scalars(
        sa.select(AuditLog).where(
            AuditLog.action == action, AuditLog.target_id == str(user.id)
        )
    ).all()


def stored(key):
    return get_storage().read(key)


# The image checks ---------------------------------------------------------------


def test_jpeg_is_reencoded_upright_without_exif_or_gps():
    data = jpeg_with_exif()
    assert b"SpyCam" in data
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # GPS present
    clean = photos.prepare(data)
    image = Image.open(io.BytesIO(clean))
    assert image.format == "JPEG"
    assert image.size == (400, 300)  # orientation applied before it was dropped
    assert dict(image.getexif()) == {}
    assert b"Exif" not in clean
    assert b"SpyCam" not in clean
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)


def test_png_with_transparency_is_flattened_and_large_photos_reduced():
    clean = photos.prepare(png((1400, 1960), (255, 0, 0, 0)))
    image = Image.open(io.BytesIO(clean))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.size == photos.STORED_SIZE
    assert image.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"just some text, renamed to photo.jpg\n" * 20, "JPG 或 PNG"),
        (lambda: b"GIF89a" + b"\x00" * 400, "JPG 或 PNG"),
        (lambda: jpeg_with_exif()[:1500], "已损坏或不完整"),  # truncated JPEG
        (lambda: b"\xff\xd8\xff\xe0" + b"x" * 800, "已损坏或不完整"),
        (lambda: png()[:-40] + b"\x00" * 40, "已损坏或不完整"),  # bad PNG tail
        (lambda: png((2001, 300)), "不能超过 2000×2000 像素（此照片为 2001×300）"),
        (lambda: png((300, 2400)), "不能超过 2000×2000 像素"),
        (lambda: png((60, 80)), "照片太小"),
        (lambda: b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "不能超过 2 MB"),
        (lambda: b"", "请选择要上传的照片"),
    ],
)
def test_bad_uploads_are_refused_with_a_chinese_reason(make, message):
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.prepare(make())
    assert message in refused.value.message


# The pages --------------------------------------------------------------------------


def upload(client, url, data, field="photo", name="photo.jpg"):
    return client.post(
        url,
        data={field: (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_user_uploads_replaces_and_deletes_own_photo(app, client, auth, world):
    officer = world.users["officer"]
    other = world.users["auxiliary"]
    auth.login("officer")
    assert "尚未上传" in client.get("/profile/photo").get_data(as_text=True)
    assert client.get("/profile/photo.jpg").status_code == 404

    response = upload(client, "/profile/photo", jpeg_with_exif())
    assert response.status_code == 302
    first = officer.photo_key
    assert first.startswith("photos/")
    assert first.endswith(".jpg")
    served = client.get("/profile/photo.jpg")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, no-store"
    assert served.data == stored(first)
    assert b"SpyCam" not in served.data
    served.close()
    assert len(audits("photo_uploaded", officer)) == 1
    assert other.photo_key is None  # one's own photo only

    # A wrong file is refused with its reason; the photo on file stays.
    for data, name, reason in (
        (b"not an image at all\n" * 10, "photo.png", "JPG 或 PNG"),
        (jpeg_with_exif()[:1500], "photo.jpg", "已损坏或不完整"),
        (png((2100, 2100)), "big.png", "2000×2000"),
    ):
        refused = upload(client, "/profile/photo", data, name=name)
        assert refused.status_code == 400
        assert reason in refused.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.photo_key == first

    assert upload(client, "/profile/photo", png(), name="new.png").status_code == 302
    second = officer.photo_key
    assert second != first
    assert not get_storage().exists(first)  # the replaced file is gone
    (replaced,) = audits("photo_replaced", officer)
    assert "SHA-256" in replaced.after

    assert client.post("/profile/photo/delete").status_code == 302
    assert officer.photo_key is None
    assert not get_storage().exists(second)
    assert len(audits("photo_deleted", officer)) == 1
    again = client.post("/profile/photo/delete", follow_redirects=True)
    assert "尚未上传证件照" in again.get_data(as_text=True)


def test_admin_changes_photos_in_scope_only(app, client, auth, world, factories):
    officer = world.users["officer"]
    outsider = factories.user(role="officer", organisation=world.other_agency)
    db.session.commit()
    auth.login("training_admin")
    url = f"/admin/users/{officer.id}/photo"
    assert upload(client, url, png(), field="photo-photo").status_code == 302
    assert officer.photo_key is not None
    (entry,) = audits("photo_uploaded", officer)
    assert entry.actor_id == world.users["training_admin"].id
    page = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert f"/admin/users/{officer.id}/photo.jpg" in page
    served = client.get(f"/admin/users/{officer.id}/photo.jpg")
    assert served.status_code == 200
    assert served.data == stored(officer.photo_key)
    served.close()

    refused = upload(client, url, b"%PDF-1.7\n" + b"0" * 300, field="photo-photo")
    assert refused.status_code == 400
    assert "JPG 或 PNG" in refused.get_data(as_text=True)

    # Out of the admin's scope: refused, nothing stored or changed.
    outside = upload(
        client, f"/admin/users/{outsider.id}/photo", png(), field="photo-photo"
    )
    assert outside.status_code == 403
    assert client.post(f"/admin/users/{outsider.id}/photo/delete").status_code == 403
    assert client.get(f"/admin/users/{outsider.id}/photo.jpg").status_code == 403
    assert outsider.photo_key is None

    key = officer.photo_key
    assert client.post(f"/admin/users/{officer.id}/photo/delete").status_code == 302
    assert officer.photo_key is None
    assert not get_storage().exists(key)
    assert len(audits("photo_deleted", officer)) == 1


def test_a_user_cannot_change_another_users_photo(app, client, auth, world):
    """The only photo routes open to non-admins act on the signed-in user; the
    admin routes refuse them."""
    target = world.users["auxiliary"]
    auth.login("officer")
    url = f"/admin/users/{target.id}/photo"
    assert upload(client, url, png(), field="photo-photo").status_code == 403
    assert client.post(f"{url}/delete").status_code == 403
    assert client.get(f"/admin/users/{target.id}/photo.jpg").status_code == 403
    assert target.photo_key is None


def test_photo_forms_need_the_csrf_token(app, client, auth, world):
    """With CSRF protection on, uploads without the token are refused; the token
    rendered in each page's form (prefixed on the admin page) is accepted."""
    import re

    officer = world.users["officer"]
    auth.login("training_admin")
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/admin/users/{officer.id}/photo"
    assert upload(client, url, png(), field="photo-photo").status_code == 400
    assert upload(client, "/profile/photo", png()).status_code == 400
    assert officer.photo_key is None

    page = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    token = re.search(r'name="photo-csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post(
        url,
        data={"photo-csrf_token": token, "photo-photo": (io.BytesIO(png()), "a.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert officer.photo_key is not None

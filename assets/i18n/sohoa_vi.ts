<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>AdminPage</name>
    <message>
        <source>The station admin</source>
        <translation>Quản trị trạm</translation>
    </message>
    <message>
        <source>The admin creates the accounts of the team. You can add volunteers, coordinators and sync operators later, in Settings.</source>
        <translation>Quản trị trạm tạo tài khoản cho cả nhóm. Bạn có thể thêm tình nguyện viên, điều phối viên và cán bộ đồng bộ sau, trong mục Cài đặt.</translation>
    </message>
    <message>
        <source>For example: Nguyễn Thị Lan</source>
        <translation>Ví dụ: Nguyễn Thị Lan</translation>
    </message>
    <message>
        <source>For example: lan.nguyen</source>
        <translation>Ví dụ: lan.nguyen</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Họ và tên</translation>
    </message>
    <message>
        <source>User name (used to sign in)</source>
        <translation>Tên đăng nhập</translation>
    </message>
    <message>
        <source>A user name needs 2 to 40 letters, digits, dots, dashes or underscores, without spaces.</source>
        <translation>Tên đăng nhập gồm 2 đến 40 chữ cái, chữ số, dấu chấm, gạch ngang hoặc gạch dưới, không có dấu cách.</translation>
    </message>
</context>
<context>
    <name>AppWindow</name>
    <message>
        <source>Digitize Memories</source>
        <translation>Số hóa ký ức</translation>
    </message>
</context>
<context>
    <name>CameraDialog</name>
    <message>
        <source>Camera {n}</source>
        <translation>Máy ảnh {n}</translation>
    </message>
    <message>
        <source>Take a photo</source>
        <translation>Chụp ảnh</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>Máy ảnh:</translation>
    </message>
    <message>
        <source>Take the photo</source>
        <translation>Chụp</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>No camera found — import photos from the phone or card instead.</source>
        <translation>Không tìm thấy máy ảnh — hãy nhập ảnh từ điện thoại hoặc thẻ nhớ.</translation>
    </message>
    <message>
        <source>Hold the page flat and still, in good light.</source>
        <translation>Giữ trang giấy phẳng, không rung, ở chỗ đủ sáng.</translation>
    </message>
    <message>
        <source>The camera stopped working. Unplug it and plug it in again, or choose another camera.</source>
        <translation>Máy ảnh đã ngừng hoạt động. Hãy rút ra rồi cắm lại, hoặc chọn máy ảnh khác.</translation>
    </message>
    <message>
        <source>Photo kept. Take the next page, or close.</source>
        <translation>Đã lưu ảnh. Chụp trang tiếp theo, hoặc đóng.</translation>
    </message>
</context>
<context>
    <name>CheckAndSubmitStep</name>
    <message>
        <source>Check and submit</source>
        <translation>Kiểm tra và gửi duyệt</translation>
    </message>
    <message>
        <source>Returned by the coordinator: what to fix</source>
        <translation>Điều phối viên trả lại: những điều cần sửa</translation>
    </message>
    <message>
        <source>Before sending</source>
        <translation>Trước khi gửi</translation>
    </message>
    <message>
        <source>Submit for review</source>
        <translation>Gửi duyệt</translation>
    </message>
    <message>
        <source>Other visits returned to you</source>
        <translation>Các chuyến thăm khác bị trả lại cho bạn</translation>
    </message>
    <message>
        <source>This visit is a draft: not yet sent for review.</source>
        <translation>Chuyến thăm này là bản nháp, chưa gửi duyệt.</translation>
    </message>
    <message>
        <source>Sent for review: the coordinator will approve it or return it with comments.</source>
        <translation>Đã gửi duyệt: điều phối viên sẽ duyệt hoặc trả lại kèm ý kiến.</translation>
    </message>
    <message>
        <source>Approved by the coordinator.</source>
        <translation>Điều phối viên đã duyệt.</translation>
    </message>
    <message>
        <source>Returned by the coordinator: fix what they ask, then send it again.</source>
        <translation>Điều phối viên đã trả lại: hãy sửa theo ý kiến rồi gửi duyệt lại.</translation>
    </message>
    <message>
        <source>The whole visit</source>
        <translation>Cả chuyến thăm</translation>
    </message>
    <message>
        <source>Fix the lines marked ✗ first; the ⚠ lines are advice.</source>
        <translation>Hãy sửa các dòng có dấu ✗ trước; các dòng có dấu ⚠ chỉ là lời khuyên.</translation>
    </message>
    <message>
        <source>You can send it now; the coordinator will see the ⚠ lines too.</source>
        <translation>Có thể gửi ngay; điều phối viên cũng sẽ thấy các dòng có dấu ⚠.</translation>
    </message>
    <message>
        <source>Everything is in order.</source>
        <translation>Mọi thứ đã đầy đủ.</translation>
    </message>
    <message>
        <source>Sent for review. Thank you!</source>
        <translation>Đã gửi duyệt. Cảm ơn bạn!</translation>
    </message>
</context>
<context>
    <name>ChecklistView</name>
    <message>
        <source>The family&apos;s consent covers every photo and recording.</source>
        <translation>Phiếu đồng ý của gia đình bao gồm mọi ảnh và bản ghi âm.</translation>
    </message>
    <message>
        <source>Every consent record passes its signature check.</source>
        <translation>Mọi phiếu đồng ý đều đúng chữ ký số.</translation>
    </message>
    <message>
        <source>Photos or recordings were made.</source>
        <translation>Đã có ảnh hoặc bản ghi âm.</translation>
    </message>
    <message>
        <source>The household&apos;s address and contact person are filled in.</source>
        <translation>Đã ghi địa chỉ và người liên hệ của gia đình.</translation>
    </message>
    <message>
        <source>The martyr the family remembers is named.</source>
        <translation>Đã ghi tên liệt sĩ mà gia đình biết.</translation>
    </message>
    <message>
        <source>Each martyr has a home town and a place of death or burial.</source>
        <translation>Mỗi liệt sĩ đều có quê quán và nơi hy sinh hoặc nơi an táng.</translation>
    </message>
    <message>
        <source>No photo looks blurred, dark or cut off.</source>
        <translation>Không có ảnh nào bị mờ, tối hay mất góc.</translation>
    </message>
    <message>
        <source>No recording is silent or very short.</source>
        <translation>Không có bản ghi âm nào bị im lặng hay quá ngắn.</translation>
    </message>
    <message>
        <source>{count} photos or recordings are not covered by the family&apos;s consent: take the consent (the Consent step) before submitting.</source>
        <translation>{count} ảnh hoặc bản ghi âm chưa có trong phiếu đồng ý của gia đình: hãy lấy phiếu đồng ý (bước Phiếu đồng ý) trước khi gửi duyệt.</translation>
    </message>
    <message>
        <source>{count} consent records fail their signature check: record the consent again and tell the station admin.</source>
        <translation>{count} phiếu đồng ý không khớp chữ ký số: hãy lấy lại phiếu đồng ý và báo cho quản trị trạm.</translation>
    </message>
    <message>
        <source>Nothing was photographed or recorded yet: add the photos of the items.</source>
        <translation>Chưa chụp ảnh hay ghi âm gì: hãy thêm ảnh các hiện vật.</translation>
    </message>
    <message>
        <source>The household&apos;s address or contact person is missing: fill in the Household step.</source>
        <translation>Còn thiếu địa chỉ hoặc người liên hệ của gia đình: hãy điền ở bước Hộ gia đình.</translation>
    </message>
    <message>
        <source>No martyr is named: add at least the name the family knows.</source>
        <translation>Chưa ghi tên liệt sĩ: hãy ghi ít nhất cái tên gia đình biết.</translation>
    </message>
    <message>
        <source>{count} martyrs have no home town or no place of death or burial: ask the family, or write what is known.</source>
        <translation>{count} liệt sĩ chưa có quê quán hoặc nơi hy sinh, nơi an táng: hãy hỏi gia đình, hoặc ghi những gì đã biết.</translation>
    </message>
    <message>
        <source>{count} photos may be blurred, dark or cut off: look at them and take them again if you can.</source>
        <translation>{count} ảnh có thể bị mờ, tối hoặc mất góc: hãy xem lại và chụp lại nếu được.</translation>
    </message>
    <message>
        <source>{count} recordings are silent or very short: listen to them.</source>
        <translation>{count} bản ghi âm bị im lặng hoặc quá ngắn: hãy nghe lại.</translation>
    </message>
</context>
<context>
    <name>ConsentStep</name>
    <message>
        <source>Consent of the family</source>
        <translation>Phiếu đồng ý của gia đình</translation>
    </message>
    <message>
        <source>Read the consent to the family, or let them read it. Then tick with them what they agree to. Nothing leaves this laptop without it.</source>
        <translation>Đọc phiếu đồng ý cho gia đình nghe, hoặc để gia đình tự đọc. Rồi cùng gia đình đánh dấu những điều gia đình đồng ý. Không có phiếu này, không tư liệu nào được gửi khỏi máy.</translation>
    </message>
    <message>
        <source>Show the receipt</source>
        <translation>Xem giấy biên nhận</translation>
    </message>
    <message>
        <source>Record a withdrawal…</source>
        <translation>Ghi nhận rút lại sự đồng ý…</translation>
    </message>
    <message>
        <source>The family takes back all or part of this consent (by phone, letter or in person).</source>
        <translation>Gia đình rút lại toàn bộ hoặc một phần phiếu đồng ý này (qua điện thoại, thư hoặc trực tiếp).</translation>
    </message>
    <message>
        <source>Change the consent…</source>
        <translation>Thay đổi sự đồng ý…</translation>
    </message>
    <message>
        <source>The family changes what they agree to (media use, DNA contact, a date): they sign again, and a new record replaces this one. The old one stays in the history.</source>
        <translation>Gia đình thay đổi điều họ đồng ý (dùng trên báo chí, liên hệ lấy mẫu ADN, ngày công bố): họ ký lại, và một phiếu mới thay thế phiếu này. Phiếu cũ vẫn được giữ trong lịch sử.</translation>
    </message>
    <message>
        <source>A family quotes the code on their receipt to take back their consent?</source>
        <translation>Gia đình đọc mã trên giấy biên nhận để rút lại sự đồng ý?</translation>
    </message>
    <message>
        <source>Withdrawal by reference code…</source>
        <translation>Rút lại theo mã phiếu…</translation>
    </message>
    <message>
        <source>Cancel the change</source>
        <translation>Hủy thay đổi</translation>
    </message>
    <message>
        <source>Witness: {name} ({username}), the volunteer signed in on this laptop.</source>
        <translation>Người làm chứng: {name} ({username}), tình nguyện viên đang đăng nhập trên máy này.</translation>
    </message>
    <message>
        <source>Record consent</source>
        <translation>Ghi nhận phiếu đồng ý</translation>
    </message>
    <message>
        <source>What the family agrees to</source>
        <translation>Gia đình đồng ý những điều sau</translation>
    </message>
    <message>
        <source>1. Keep the material in the campaign archive and use it to search for and identify martyrs</source>
        <translation>1. Lưu giữ tư liệu trong kho của chiến dịch và dùng để tìm kiếm, xác định danh tính liệt sĩ</translation>
    </message>
    <message>
        <source>Required: without it nothing can be kept. The material is encrypted and goes only to the provincial Military Command.</source>
        <translation>Bắt buộc: không có điều này thì không lưu được gì. Tư liệu được mã hóa và chỉ gửi về Bộ Chỉ huy quân sự tỉnh.</translation>
    </message>
    <message>
        <source>2. Share with the authorities that search for and identify martyrs</source>
        <translation>2. Chia sẻ với các cơ quan chức năng tìm kiếm, xác định danh tính liệt sĩ</translation>
    </message>
    <message>
        <source>The Ministry of Defence, the Ministry of Home Affairs and the specialised units named in the consent.</source>
        <translation>Bộ Quốc phòng, Bộ Nội vụ và các đơn vị chuyên trách ghi trong phiếu.</translation>
    </message>
    <message>
        <source>3. Public use in newspapers and the media</source>
        <translation>3. Sử dụng công khai trên báo chí, truyền thông</translation>
    </message>
    <message>
        <source>With the family&apos;s name</source>
        <translation>Có ghi tên gia đình</translation>
    </message>
    <message>
        <source>Without the name</source>
        <translation>Không ghi tên</translation>
    </message>
    <message>
        <source>Not at all</source>
        <translation>Không được dùng</translation>
    </message>
    <message>
        <source>4. The family may be contacted to give a DNA sample</source>
        <translation>4. Đồng ý được liên hệ để lấy mẫu ADN</translation>
    </message>
    <message>
        <source>Who to contact, phone number or address</source>
        <translation>Liên hệ với ai, số điện thoại hoặc địa chỉ</translation>
    </message>
    <message>
        <source>5. Not to be made public before a date (optional)</source>
        <translation>5. Chưa công bố trước một ngày nhất định (không bắt buộc)</translation>
    </message>
    <message>
        <source>No such date</source>
        <translation>Không đặt hạn</translation>
    </message>
    <message>
        <source>Who gives the consent</source>
        <translation>Người đồng ý</translation>
    </message>
    <message>
        <source>Full name of the family&apos;s representative</source>
        <translation>Họ tên người đại diện gia đình</translation>
    </message>
    <message>
        <source>wife</source>
        <translation>vợ</translation>
    </message>
    <message>
        <source>son</source>
        <translation>con trai</translation>
    </message>
    <message>
        <source>daughter</source>
        <translation>con gái</translation>
    </message>
    <message>
        <source>brother</source>
        <translation>anh/em trai</translation>
    </message>
    <message>
        <source>sister</source>
        <translation>chị/em gái</translation>
    </message>
    <message>
        <source>nephew or niece</source>
        <translation>cháu (con anh chị em)</translation>
    </message>
    <message>
        <source>grandchild</source>
        <translation>cháu nội/ngoại</translation>
    </message>
    <message>
        <source>other relative</source>
        <translation>họ hàng khác</translation>
    </message>
    <message>
        <source>Relationship to the martyr</source>
        <translation>Quan hệ với liệt sĩ</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Relationship</source>
        <translation>Quan hệ</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>Chữ ký</translation>
    </message>
    <message>
        <source>Signed on the screen</source>
        <translation>Ký trên màn hình</translation>
    </message>
    <message>
        <source>Said aloud in a recorded testimony</source>
        <translation>Đồng ý bằng lời trong lời kể đã ghi âm</translation>
    </message>
    <message>
        <source>The family&apos;s representative signs with the mouse, a finger or a pen.</source>
        <translation>Người đại diện gia đình ký bằng chuột, ngón tay hoặc bút.</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Xóa chữ ký</translation>
    </message>
    <message>
        <source>The recording (and the marker) where the family says they agree</source>
        <translation>Bản ghi âm (và điểm đánh dấu) nơi gia đình nói đồng ý</translation>
    </message>
    <message>
        <source>e.g. cannot write; agreed at minute 12</source>
        <translation>vd. không viết được; đồng ý ở phút thứ 12</translation>
    </message>
    <message>
        <source>Testimony</source>
        <translation>Lời kể</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>For those who cannot write: read the consent aloud while recording, and set a marker where they say what they agree to.</source>
        <translation>Với người không viết được: đọc to phiếu đồng ý khi đang ghi âm, và đánh dấu chỗ họ nói đồng ý những điều nào.</translation>
    </message>
    <message>
        <source>Consent recorded</source>
        <translation>Đã ghi nhận phiếu đồng ý</translation>
    </message>
    <message>
        <source>Give the family the receipt, printed or as a PDF. With this reference code they can take back or change their consent at any time.</source>
        <translation>Hãy trao cho gia đình giấy biên nhận, bản in hoặc tệp PDF. Với mã phiếu này, gia đình có thể rút lại hoặc thay đổi sự đồng ý bất cứ lúc nào.</translation>
    </message>
    <message>
        <source>Reference code</source>
        <translation>Mã phiếu</translation>
    </message>
    <message>
        <source>Save receipt as PDF…</source>
        <translation>Lưu giấy biên nhận (PDF)…</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>In…</translation>
    </message>
    <message>
        <source>Back to the consent records</source>
        <translation>Quay lại danh sách phiếu</translation>
    </message>
    <message>
        <source>{count} photos or recordings were added after the last consent: the family needs to consent to them too (record the consent again).</source>
        <translation>Có {count} ảnh hoặc bản ghi âm được thêm sau phiếu đồng ý gần nhất: gia đình cần đồng ý cả những tư liệu này (ghi nhận phiếu đồng ý lần nữa).</translation>
    </message>
    <message>
        <source>The family&apos;s consent covers everything recorded in this visit.</source>
        <translation>Phiếu đồng ý của gia đình bao gồm mọi tư liệu của chuyến thăm này.</translation>
    </message>
    <message>
        <source>✓ valid</source>
        <translation>✓ còn hiệu lực</translation>
    </message>
    <message>
        <source>replaced by a later consent</source>
        <translation>đã được thay bằng phiếu sau</translation>
    </message>
    <message>
        <source>withdrawn</source>
        <translation>đã rút lại</translation>
    </message>
    <message>
        <source>✓ valid, partly withdrawn</source>
        <translation>✓ còn hiệu lực, đã rút lại một phần</translation>
    </message>
    <message>
        <source>✗ fails its signature check</source>
        <translation>✗ không khớp chữ ký số</translation>
    </message>
    <message>
        <source>{code} · {state} · signed by {name} · {when}</source>
        <translation>{code} · {state} · người ký: {name} · {when}</translation>
    </message>
    <message>
        <source>Consent history of this visit</source>
        <translation>Lịch sử phiếu đồng ý của chuyến thăm</translation>
    </message>
    <message>
        <source>the command is told with the next batch</source>
        <translation>sẽ báo cho Bộ Chỉ huy cùng đợt gửi sau</translation>
    </message>
    <message>
        <source>the command was told (batch {batch})</source>
        <translation>đã báo cho Bộ Chỉ huy (đợt gửi {batch})</translation>
    </message>
    <message>
        <source>↩ {code} · withdrawal of {target} · asked by {name} · {when} · {notice}</source>
        <translation>↩ {code} · rút lại phiếu {target} · do {name} yêu cầu · {when} · {notice}</translation>
    </message>
    <message>
        <source>✎ {code} · change of {target} · {state} · signed by {name} · {when}</source>
        <translation>✎ {code} · thay đổi phiếu {target} · {state} · {name} ký · {when}</translation>
    </message>
    <message>
        <source>Changing consent {code}. Tick what the family agrees to now and let them sign again: a new record with a new code replaces it; the old one stays in the history.</source>
        <translation>Đang thay đổi phiếu {code}. Đánh dấu những điều gia đình đồng ý bây giờ và mời họ ký lại: một phiếu mới với mã mới sẽ thay thế; phiếu cũ vẫn được giữ trong lịch sử.</translation>
    </message>
    <message>
        <source>Record the change</source>
        <translation>Ghi nhận thay đổi</translation>
    </message>
    <message>
        <source>Not public before</source>
        <translation>Chưa công bố trước ngày</translation>
    </message>
    <message>
        <source>Signed by {signer} on {when}; witness {witness}.</source>
        <translation>Người đồng ý: {signer}, lúc {when}; người làm chứng: {witness}.</translation>
    </message>
    <message>
        <source>This changes consent {code}; that one is no longer in force but stays in the history.</source>
        <translation>Phiếu này thay đổi phiếu {code}; phiếu đó không còn hiệu lực nhưng vẫn được giữ trong lịch sử.</translation>
    </message>
    <message>
        <source>Save receipt as PDF</source>
        <translation>Lưu giấy biên nhận thành PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>Tệp PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Receipt saved: {path}</source>
        <translation>Đã lưu giấy biên nhận: {path}</translation>
    </message>
    <message>
        <source>The withdrawal is recorded ({code}). What it names will not be sent; the command is told with the next batch.</source>
        <translation>Đã ghi nhận việc rút lại sự đồng ý ({code}). Các tư liệu đó sẽ không được gửi đi; Bộ Chỉ huy sẽ được báo cùng đợt gửi sau.</translation>
    </message>
</context>
<context>
    <name>CoordinatesReadout</name>
    <message>
        <source>Use as latitude and longitude</source>
        <translation>Dùng làm vĩ độ và kinh độ</translation>
    </message>
    <message>
        <source>Household&apos;s GPS</source>
        <translation>GPS của hộ gia đình</translation>
    </message>
    <message>
        <source>A photo&apos;s GPS…</source>
        <translation>GPS của một ảnh…</translation>
    </message>
    <message>
        <source>What was understood</source>
        <translation>Phần mềm hiểu là</translation>
    </message>
    <message>
        <source>In the description:</source>
        <translation>Trong phần mô tả:</translation>
    </message>
    <message>
        <source>“{link}” is a short link: it holds no coordinates until it is opened on the internet. Open it on the phone, then copy the coordinates the map shows (hold a finger on the point).</source>
        <translation>“{link}” là đường link rút gọn: chỉ có tọa độ khi mở bằng internet. Hãy mở link trên điện thoại, rồi chép tọa độ bản đồ hiện ra (giữ ngón tay lên điểm đó).</translation>
    </message>
    <message>
        <source>No coordinates understood in “{text}”. For example: 16.7463, 107.1856 · 16°44&apos;47&quot;B 107°11&apos;08&quot;Đ · 48Q XD 841 420 · VN-2000 X = 1854321, Y = 512345.</source>
        <translation>Không hiểu được tọa độ nào trong “{text}”. Ví dụ: 16.7463, 107.1856 · 16°44&apos;47&quot;B 107°11&apos;08&quot;Đ · 48Q XD 841 420 · VN-2000 X = 1854321, Y = 512345.</translation>
    </message>
    <message>
        <source>Type coordinates or a grid reference as it was said; what is understood shows here.</source>
        <translation>Gõ tọa độ hoặc tọa độ lưới đúng như lời kể; phần mềm hiểu thế nào sẽ hiện ở đây.</translation>
    </message>
    <message>
        <source>Latitude and longitude from “{text}” ({datum}, {radius}).</source>
        <translation>Vĩ độ và kinh độ lấy từ “{text}” ({datum}, {radius}).</translation>
    </message>
    <message>
        <source>The household has no GPS position yet: fill it in on the Household tab.</source>
        <translation>Hộ gia đình chưa có vị trí GPS: hãy điền ở thẻ Hộ gia đình.</translation>
    </message>
    <message>
        <source>Latitude and longitude from the household&apos;s GPS.</source>
        <translation>Vĩ độ và kinh độ lấy từ GPS của hộ gia đình.</translation>
    </message>
    <message>
        <source>No photo of this visit has a GPS position</source>
        <translation>Không ảnh nào của chuyến thăm này có vị trí GPS</translation>
    </message>
    <message>
        <source>Latitude and longitude from the GPS of the photo {photo}.</source>
        <translation>Vĩ độ và kinh độ lấy từ GPS của ảnh {photo}.</translation>
    </message>
</context>
<context>
    <name>CreatingPage</name>
    <message>
        <source>Creating the station</source>
        <translation>Đang tạo trạm</translation>
    </message>
    <message>
        <source>Creating the encrypted vault and the station&apos;s keys. This takes a few seconds.</source>
        <translation>Đang tạo kho dữ liệu mã hóa và các khóa của trạm. Việc này mất vài giây.</translation>
    </message>
    <message>
        <source>The station was not created.</source>
        <translation>Chưa tạo được trạm.</translation>
    </message>
</context>
<context>
    <name>DrivePicker</name>
    <message>
        <source>Import from a card or phone</source>
        <translation>Nhập từ thẻ nhớ hoặc điện thoại</translation>
    </message>
    <message>
        <source>Plug in the memory card, the USB stick or the phone (on the phone, choose &quot;File transfer&quot;). The app finds the photos in its DCIM folder by itself.</source>
        <translation>Cắm thẻ nhớ, USB hoặc điện thoại (trên điện thoại, chọn &quot;Truyền tệp&quot;). Ứng dụng tự tìm ảnh trong thư mục DCIM.</translation>
    </message>
    <message>
        <source>Looking for cards and phones…</source>
        <translation>Đang tìm thẻ nhớ và điện thoại…</translation>
    </message>
    <message>
        <source>Look again</source>
        <translation>Tìm lại</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Nhập</translation>
    </message>
    <message>
        <source>No memory card or phone found. Plug one in, then press &quot;Look again&quot;.</source>
        <translation>Không thấy thẻ nhớ hay điện thoại nào. Hãy cắm vào rồi bấm &quot;Tìm lại&quot;.</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Enrol this station with the command</source>
        <translation>Đăng ký trạm với Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>The provincial Military Command gives each station a one-time code, on paper or as a QR code. Type the server&apos;s address, the code and the fingerprint of the command&apos;s keys from the printed sheet, or paste the whole enrolment link (it starts with sohoa-enrol:) into any field.</source>
        <translation>Bộ Chỉ huy quân sự tỉnh cấp cho mỗi trạm một mã dùng một lần, trên giấy hoặc dưới dạng mã QR. Hãy gõ địa chỉ máy chủ, mã và dấu vân tay khóa của Bộ Chỉ huy từ tờ giấy in, hoặc dán cả đường dẫn đăng ký (bắt đầu bằng sohoa-enrol:) vào một ô bất kỳ.</translation>
    </message>
    <message>
        <source>Address of the command server</source>
        <translation>Địa chỉ máy chủ của Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>One-time code</source>
        <translation>Mã dùng một lần</translation>
    </message>
    <message>
        <source>Fingerprint of the command&apos;s keys</source>
        <translation>Dấu vân tay khóa của Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>It is on the sheet the command printed with the code (sohoa-server enrol-code): 8 groups of 4 letters and digits. The station checks that the server answers with these keys before it sends the code.</source>
        <translation>Dấu vân tay in trên tờ giấy Bộ Chỉ huy đưa kèm mã (sohoa-server enrol-code): 8 nhóm, mỗi nhóm 4 chữ và số. Trạm kiểm tra máy chủ trả lời đúng các khóa này rồi mới gửi mã.</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>Đăng ký</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>From the enrolment link: the station will check that the server answers with the command&apos;s own keys.</source>
        <translation>Từ đường dẫn đăng ký: trạm sẽ kiểm tra rằng máy chủ trả lời bằng đúng khóa của Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>On the sheet: &lt;tt&gt;{expected}&lt;/tt&gt;&lt;br&gt;The server answered: &lt;tt&gt;{answered}&lt;/tt&gt;</source>
        <translation>Trên tờ giấy: &lt;tt&gt;{expected}&lt;/tt&gt;&lt;br&gt;Máy chủ trả lời: &lt;tt&gt;{answered}&lt;/tt&gt;</translation>
    </message>
</context>
<context>
    <name>Gallery</name>
    <message>
        <source>Looks blurred: if you can, take this page again.</source>
        <translation>Ảnh có vẻ bị mờ: nếu được, hãy chụp lại trang này.</translation>
    </message>
    <message>
        <source>Looks too dark: more light would help.</source>
        <translation>Ảnh có vẻ quá tối: nên chụp ở chỗ sáng hơn.</translation>
    </message>
    <message>
        <source>Looks too bright: some writing may be lost in the glare.</source>
        <translation>Ảnh có vẻ quá sáng: chữ có thể bị lóa mất.</translation>
    </message>
    <message>
        <source>This photo is damaged and cannot be shown whole: copy it again from the camera or phone and import the copy.</source>
        <translation>Ảnh này bị hỏng, không hiện được trọn vẹn: hãy chép lại từ máy ảnh hoặc điện thoại rồi nhập bản chép đó.</translation>
    </message>
</context>
<context>
    <name>HelpWindow</name>
    <message>
        <source>Guide — Digitize Memories</source>
        <translation>Hướng dẫn — Số hóa ký ức</translation>
    </message>
    <message>
        <source>Save the field handbook (PDF)…</source>
        <translation>Lưu sổ tay hiện trường (PDF)…</translation>
    </message>
    <message>
        <source>Save the checklist (PDF)…</source>
        <translation>Lưu danh sách kiểm tra (PDF)…</translation>
    </message>
    <message>
        <source>Print the field handbook…</source>
        <translation>In sổ tay hiện trường…</translation>
    </message>
    <message>
        <source>field-handbook.pdf</source>
        <translation>so-tay-hien-truong.pdf</translation>
    </message>
    <message>
        <source>visit-checklist.pdf</source>
        <translation>danh-sach-kiem-tra.pdf</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>Lưu thành PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>Đã lưu: {path}</translation>
    </message>
    <message>
        <source>The printer could not be used.</source>
        <translation>Không dùng được máy in.</translation>
    </message>
</context>
<context>
    <name>HouseholdSection</name>
    <message>
        <source>Type to search, or choose from the list</source>
        <translation>Gõ để tìm, hoặc chọn trong danh sách</translation>
    </message>
    <message>
        <source>For example: thôn Đông, tổ 5</source>
        <translation>Ví dụ: thôn Đông, tổ 5</translation>
    </message>
    <message>
        <source>for example 21.0285</source>
        <translation>ví dụ 21.0285</translation>
    </message>
    <message>
        <source>for example 105.8542</source>
        <translation>ví dụ 105.8542</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>Vĩ độ</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>Kinh độ</translation>
    </message>
    <message>
        <source>Province or city</source>
        <translation>Tỉnh hoặc thành phố</translation>
    </message>
    <message>
        <source>Commune or ward</source>
        <translation>Xã hoặc phường</translation>
    </message>
    <message>
        <source>Village or residential group</source>
        <translation>Thôn, xóm hoặc tổ dân phố</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Contact person</source>
        <translation>Người liên hệ</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>GPS position</source>
        <translation>Tọa độ GPS</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Write both numbers in decimal degrees: latitude between -90 and 90, longitude between -180 and 180 (Vietnam is about 8 to 23 and 102 to 110).</source>
        <translation>Ghi cả hai số theo độ thập phân: vĩ độ từ -90 đến 90, kinh độ từ -180 đến 180 (Việt Nam khoảng 8 đến 23 và 102 đến 110).</translation>
    </message>
</context>
<context>
    <name>ImportPanel</name>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Looking for photos and videos…</source>
        <translation>Đang tìm ảnh và video…</translation>
    </message>
    <message>
        <source>Stopping after the current file…</source>
        <translation>Đang dừng sau tệp hiện tại…</translation>
    </message>
    <message>
        <source>{done} of {total} files done — {name}</source>
        <translation>Đã xử lý {done}/{total} tệp — {name}</translation>
    </message>
    <message>
        <source>Importing {total} files…</source>
        <translation>Đang nhập {total} tệp…</translation>
    </message>
</context>
<context>
    <name>ImportReportDialog</name>
    <message>
        <source>Import report</source>
        <translation>Kết quả nhập ảnh</translation>
    </message>
    <message>
        <source>Import finished</source>
        <translation>Đã nhập xong</translation>
    </message>
    <message>
        <source>{n} imported</source>
        <translation>Đã nhập {n} tệp</translation>
    </message>
    <message>
        <source>{n} already in the vault</source>
        <translation>{n} tệp đã có sẵn trong kho</translation>
    </message>
    <message>
        <source>{n} could not be imported</source>
        <translation>{n} tệp không nhập được</translation>
    </message>
    <message>
        <source>{n} not imported (cancelled)</source>
        <translation>{n} tệp chưa nhập (đã hủy)</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Đã nhập</translation>
    </message>
    <message>
        <source>Imported (the same file is already in another item)</source>
        <translation>Đã nhập (tệp này cũng có ở một hiện vật khác)</translation>
    </message>
    <message>
        <source>Already in the vault: this file was imported before.</source>
        <translation>Đã có trong kho: tệp này đã được nhập trước đây.</translation>
    </message>
    <message>
        <source>Not imported: the import was cancelled.</source>
        <translation>Chưa nhập: việc nhập đã bị hủy.</translation>
    </message>
    <message>
        <source>Could not be imported.</source>
        <translation>Không nhập được.</translation>
    </message>
</context>
<context>
    <name>ItemKind</name>
    <message>
        <source>Keepsake</source>
        <translation>Kỷ vật</translation>
    </message>
    <message>
        <source>Battlefield diary</source>
        <translation>Nhật ký chiến trường</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>Thư</translation>
    </message>
    <message>
        <source>Hand-drawn map</source>
        <translation>Bản đồ vẽ tay</translation>
    </message>
    <message>
        <source>Photograph</source>
        <translation>Ảnh chụp</translation>
    </message>
    <message>
        <source>Death notice</source>
        <translation>Giấy báo tử</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>Giấy chứng nhận</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Khác</translation>
    </message>
</context>
<context>
    <name>LanguagePage</name>
    <message>
        <source>Welcome to Digitize Memories</source>
        <translation>Chào mừng đến với Số hóa ký ức</translation>
    </message>
    <message>
        <source>This laptop is not set up yet. In a few steps you will name the station, create the first admin account and print the recovery key. First, choose the language.</source>
        <translation>Máy tính này chưa được cài đặt. Qua vài bước, bạn sẽ đặt tên cho trạm, tạo tài khoản quản trị đầu tiên và in khóa khôi phục. Trước hết, hãy chọn ngôn ngữ.</translation>
    </message>
    <message>
        <source>New to the station? Practise first on a sample household: nothing real, nothing sent, and this setup waits for you.</source>
        <translation>Mới làm quen với trạm? Hãy luyện tập trước với một hộ gia đình mẫu: không có gì thật, không gửi đi đâu, và phần cài đặt này vẫn chờ bạn.</translation>
    </message>
    <message>
        <source>Practise on a sample household</source>
        <translation>Luyện tập với hộ gia đình mẫu</translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <source>Sign in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>Digitize Memories — the station&apos;s vault is locked.</source>
        <translation>Số hóa ký ức — kho dữ liệu của trạm đang khóa.</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Tên đăng nhập</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Mật khẩu</translation>
    </message>
    <message>
        <source>Forgot passphrase? Use the recovery key</source>
        <translation>Quên mật khẩu? Dùng khóa khôi phục</translation>
    </message>
    <message>
        <source>Someone else signs in</source>
        <translation>Người khác đăng nhập</translation>
    </message>
    <message>
        <source>Practise on a sample household</source>
        <translation>Luyện tập với hộ gia đình mẫu</translation>
    </message>
    <message>
        <source>A practice station with nothing real in it: try every step before a real visit.</source>
        <translation>Một trạm luyện tập không chứa dữ liệu thật: hãy thử mọi bước trước chuyến thăm thật.</translation>
    </message>
    <message>
        <source>Sign in with the recovery key</source>
        <translation>Đăng nhập bằng khóa khôi phục</translation>
    </message>
    <message>
        <source>Type your user name and the recovery key printed when the station was set up. Then you will choose a new passphrase.</source>
        <translation>Nhập tên đăng nhập của bạn và khóa khôi phục đã in ra khi cài đặt trạm. Sau đó bạn sẽ đặt mật khẩu mới.</translation>
    </message>
    <message>
        <source>Recovery key</source>
        <translation>Khóa khôi phục</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <source>Choose a new passphrase</source>
        <translation>Đặt mật khẩu mới</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Save and continue</source>
        <translation>Lưu và tiếp tục</translation>
    </message>
    <message>
        <source>The station is locked</source>
        <translation>Trạm đang khóa</translation>
    </message>
    <message>
        <source>It locked itself after a while without use, to protect the families&apos; data. {name}, type your passphrase to continue where you were.</source>
        <translation>Trạm tự khóa sau một thời gian không dùng, để bảo vệ dữ liệu của các gia đình. {name} ơi, hãy nhập mật khẩu để làm tiếp từ chỗ đang dừng.</translation>
    </message>
    <message>
        <source>Type your user name and your passphrase.</source>
        <translation>Hãy nhập tên đăng nhập và mật khẩu.</translation>
    </message>
    <message>
        <source>An admin gave you a temporary passphrase. Choose your own now; only you will know it.</source>
        <translation>Quản trị trạm đã cấp cho bạn mật khẩu tạm thời. Hãy đặt mật khẩu riêng ngay bây giờ; chỉ mình bạn biết mật khẩu này.</translation>
    </message>
    <message>
        <source>You can try again now.</source>
        <translation>Bây giờ bạn có thể thử lại.</translation>
    </message>
    <message>
        <source>Type your user name and the recovery key.</source>
        <translation>Hãy nhập tên đăng nhập và khóa khôi phục.</translation>
    </message>
    <message>
        <source>The recovery key worked. Choose a new passphrase now: you will sign in with it from now on.</source>
        <translation>Khóa khôi phục hợp lệ. Hãy đặt mật khẩu mới ngay: từ nay bạn sẽ đăng nhập bằng mật khẩu này.</translation>
    </message>
</context>
<context>
    <name>OperatorPage</name>
    <message>
        <source>Send to the command</source>
        <translation>Gửi về Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Connection to the command</source>
        <translation>Kết nối với Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <source>Enrol this station…</source>
        <translation>Đăng ký trạm…</translation>
    </message>
    <message>
        <source>Ready to send</source>
        <translation>Sẵn sàng gửi</translation>
    </message>
    <message>
        <source>Build batch</source>
        <translation>Đóng gói đợt gửi</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Outgoing batches</source>
        <translation>Các đợt gửi</translation>
    </message>
    <message>
        <source>No batches yet. Build one from the visits ready to send.</source>
        <translation>Chưa có đợt gửi nào. Hãy đóng gói một đợt từ các chuyến thăm sẵn sàng gửi.</translation>
    </message>
    <message>
        <source>Built</source>
        <translation>Đóng gói lúc</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Phần</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>Chuyến thăm</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Dung lượng</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Đã giao lúc</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Gửi lên</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <source>Cancel upload</source>
        <translation>Dừng gửi</translation>
    </message>
    <message>
        <source>Write to USB drive…</source>
        <translation>Ghi ra USB…</translation>
    </message>
    <message>
        <source>Load receipt…</source>
        <translation>Nạp biên nhận…</translation>
    </message>
    <message>
        <source>Upload speed limit</source>
        <translation>Giới hạn tốc độ gửi</translation>
    </message>
    <message>
        <source>On a shared connection (a phone&apos;s 3G/4G, the commune office&apos;s line), leave room for others. The limit applies from the next upload or resume.</source>
        <translation>Khi dùng chung đường truyền (3G/4G của điện thoại, mạng của văn phòng xã), hãy chừa phần cho người khác. Giới hạn có hiệu lực từ lần gửi hoặc lần tiếp tục sau.</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>Không giới hạn</translation>
    </message>
    <message>
        <source>{size}/s</source>
        <translation>{size}/giây</translation>
    </message>
    <message>
        <source>&lt;b&gt;This station is not enrolled with the command yet.&lt;/b&gt;&lt;br&gt;Enrol it once with the address and the one-time code the command gave you; then batches can be sent.</source>
        <translation>&lt;b&gt;Trạm này chưa đăng ký với Bộ Chỉ huy.&lt;/b&gt;&lt;br&gt;Hãy đăng ký một lần bằng địa chỉ và mã dùng một lần mà Bộ Chỉ huy cấp; sau đó mới gửi được các đợt.</translation>
    </message>
    <message>
        <source>&lt;b&gt;This station is not enrolled with the command yet.&lt;/b&gt;&lt;br&gt;Ask the station admin to enrol it (on this page, with the one-time code from the command). Until then no batch can be built or sent.</source>
        <translation>&lt;b&gt;Trạm này chưa đăng ký với Bộ Chỉ huy.&lt;/b&gt;&lt;br&gt;Hãy nhờ quản trị trạm đăng ký (trên trang này, bằng mã dùng một lần của Bộ Chỉ huy). Trước khi đăng ký, chưa thể đóng gói hay gửi đợt nào.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Enrolled with the command&lt;/b&gt; at {server}&lt;br&gt;since {when}</source>
        <translation>&lt;b&gt;Đã đăng ký với Bộ Chỉ huy&lt;/b&gt; tại {server}&lt;br&gt;từ {when}</translation>
    </message>
    <message>
        <source>Enrol again…</source>
        <translation>Đăng ký lại…</translation>
    </message>
    <message>
        <source>Nothing to send: approved visits with the family&apos;s consent appear here once the coordinator approves them.</source>
        <translation>Chưa có gì để gửi: các chuyến thăm có sự đồng ý của gia đình sẽ hiện ở đây khi điều phối viên đã duyệt.</translation>
    </message>
    <message>
        <source>{visits} visits · {files} files · {size}</source>
        <translation>{visits} chuyến thăm · {files} tệp · {size}</translation>
    </message>
    <message>
        <source>in {parts} parts</source>
        <translation>chia thành {parts} phần</translation>
    </message>
    <message>
        <source>{count} consent withdrawals</source>
        <translation>{count} thông báo rút lại sự đồng ý</translation>
    </message>
    <message>
        <source>{title} — {files} files, {size}</source>
        <translation>{title} — {files} tệp, {size}</translation>
    </message>
    <message>
        <source>Packing and encrypting…</source>
        <translation>Đang đóng gói và mã hóa…</translation>
    </message>
    <message>
        <source>{done} of {total} packed and encrypted</source>
        <translation>Đã đóng gói và mã hóa {done} / {total}</translation>
    </message>
    <message>
        <source>Waiting — see the note below</source>
        <translation>Đang chờ — xem ghi chú bên dưới</translation>
    </message>
    <message>
        <source>An answer did not come from the command (it is not signed by the command&apos;s key): something on the network may be in between. Nothing is lost: the app tries again in {seconds} s (attempt {attempt}).</source>
        <translation>Có một câu trả lời không phải của Bộ Chỉ huy (không có chữ ký bằng khóa của Bộ Chỉ huy): có thể có thứ gì đó chen vào giữa trên mạng. Không mất dữ liệu nào: ứng dụng thử lại sau {seconds} giây (lần thứ {attempt}).</translation>
    </message>
    <message>
        <source>The server&apos;s security certificate is not the one kept at enrolment, so nothing was sent. The app tries again in {seconds} s (attempt {attempt}); if this lasts, tell the command.</source>
        <translation>Chứng chỉ bảo mật của máy chủ không phải chứng chỉ đã lưu khi đăng ký, nên chưa gửi gì cả. Ứng dụng thử lại sau {seconds} giây (lần thứ {attempt}); nếu cứ như vậy, hãy báo cho Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>the command is receiving too many requests</source>
        <translation>Bộ Chỉ huy đang nhận quá nhiều yêu cầu</translation>
    </message>
    <message>
        <source>the command is busy</source>
        <translation>Bộ Chỉ huy đang bận</translation>
    </message>
    <message>
        <source>this station&apos;s space at the command is full for now</source>
        <translation>chỗ dành cho trạm này ở Bộ Chỉ huy tạm thời đã đầy</translation>
    </message>
    <message>
        <source>the command&apos;s disk is full for now</source>
        <translation>ổ đĩa của Bộ Chỉ huy tạm thời đã đầy</translation>
    </message>
    <message>
        <source>the command could not file the batch yet; it keeps the upload and tries again itself</source>
        <translation>Bộ Chỉ huy chưa lưu được đợt gửi; họ giữ nguyên phần đã tải lên và tự thử lại</translation>
    </message>
    <message>
        <source>The command asks to wait: {why} ({code}). Nothing is lost: the app tries again in {seconds} s (attempt {attempt}).</source>
        <translation>Bộ Chỉ huy đề nghị chờ: {why} ({code}). Không mất dữ liệu nào: ứng dụng thử lại sau {seconds} giây (lần thứ {attempt}).</translation>
    </message>
    <message>
        <source>{sent} of {total} sent ({percent}%)</source>
        <translation>Đã gửi {sent} / {total} ({percent}%)</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Đang dừng…</translation>
    </message>
    <message>
        <source>Batch built: {parts} file(s), {size}. Select it below to upload it or write it to a USB drive.</source>
        <translation>Đã đóng gói: {parts} tệp, {size}. Chọn đợt đó ở dưới để gửi lên hoặc ghi ra USB.</translation>
    </message>
    <message>
        <source>Building was cancelled. Nothing was sent and nothing was lost.</source>
        <translation>Đã hủy việc đóng gói. Chưa gửi gì và không mất gì.</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <source>Waiting for the network</source>
        <translation>Đang chờ mạng</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Đang gửi…</translation>
    </message>
    <message>
        <source>Paused — press Resume</source>
        <translation>Tạm dừng — bấm Tiếp tục</translation>
    </message>
    <message>
        <source>Delivered ✓</source>
        <translation>Đã giao ✓</translation>
    </message>
    <message>
        <source>Refused by the command</source>
        <translation>Bộ Chỉ huy từ chối</translation>
    </message>
    <message>
        <source>Written to USB — waiting for the receipt</source>
        <translation>Đã ghi ra USB — chờ biên nhận</translation>
    </message>
    <message>
        <source>{part} of {parts}</source>
        <translation>{part}/{parts}</translation>
    </message>
    <message>
        <source>Batch of {when} · part {part} of {parts} · {visits} visits · {size}</source>
        <translation>Đợt gửi {when} · phần {part}/{parts} · {visits} chuyến thăm · {size}</translation>
    </message>
    <message>
        <source>Delivered on {when}: the command&apos;s signed receipt was checked and kept.</source>
        <translation>Đã giao lúc {when}: biên nhận có chữ ký của Bộ Chỉ huy đã được kiểm tra và lưu lại.</translation>
    </message>
    <message>
        <source>The command refused this batch: {reason}</source>
        <translation>Bộ Chỉ huy từ chối đợt gửi này: {reason}</translation>
    </message>
    <message>
        <source>Written to a USB drive on {when}. Take it to the command and load the receipt they give you; or upload it, whichever comes first.</source>
        <translation>Đã ghi ra USB lúc {when}. Hãy mang USB đến Bộ Chỉ huy rồi nạp biên nhận họ đưa; hoặc gửi lên qua mạng, cách nào đến trước cũng được.</translation>
    </message>
    <message>
        <source>Connecting to the command…</source>
        <translation>Đang kết nối với Bộ Chỉ huy…</translation>
    </message>
    <message>
        <source>The connection to the command was lost. Nothing is lost: the app tries again by itself (in {seconds} s, attempt {attempt}) and continues from where it stopped.</source>
        <translation>Mất kết nối với Bộ Chỉ huy. Không mất dữ liệu nào: ứng dụng tự thử lại (sau {seconds} giây, lần thứ {attempt}) và gửi tiếp từ chỗ đã dừng.</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>tạm dừng</translation>
    </message>
    <message>
        <source>{speed}/s</source>
        <translation>{speed}/giây</translation>
    </message>
    <message>
        <source>less than a minute left</source>
        <translation>còn chưa đến một phút</translation>
    </message>
    <message>
        <source>about {minutes} min left</source>
        <translation>còn khoảng {minutes} phút</translation>
    </message>
    <message>
        <source>about {hours} h {minutes} min left</source>
        <translation>còn khoảng {hours} giờ {minutes} phút</translation>
    </message>
    <message>
        <source>The command received the batch while the station was locked; its signed receipt was checked and is recorded now.</source>
        <translation>Bộ Chỉ huy đã nhận đợt gửi trong lúc trạm đang khóa; biên nhận có chữ ký đã được kiểm tra và nay được ghi lại.</translation>
    </message>
    <message>
        <source>Delivered: the command received the batch and its signed receipt was checked.</source>
        <translation>Đã giao: Bộ Chỉ huy đã nhận đợt gửi và biên nhận có chữ ký đã được kiểm tra.</translation>
    </message>
    <message>
        <source>The upload stopped when the station locked. Nothing is lost: press Resume to continue from where it stopped.</source>
        <translation>Việc gửi đã dừng khi trạm tự khóa. Không mất gì: bấm Tiếp tục để gửi tiếp từ chỗ đã dừng.</translation>
    </message>
    <message>
        <source>Upload stopped. Nothing is lost: press Resume to continue from where it stopped, or write the batch to a USB drive.</source>
        <translation>Đã dừng gửi. Không mất gì: bấm Tiếp tục để gửi tiếp từ chỗ đã dừng, hoặc ghi đợt gửi ra USB.</translation>
    </message>
    <message>
        <source>The station is enrolled with the command at {server}.</source>
        <translation>Trạm đã đăng ký với Bộ Chỉ huy tại {server}.</translation>
    </message>
    <message>
        <source>Written and checked: {path}. Take the drive to the command; when they give you the receipt, load it with &quot;Load receipt…&quot;.</source>
        <translation>Đã ghi và kiểm tra: {path}. Hãy mang USB đến Bộ Chỉ huy; khi nhận được biên nhận, nạp nó bằng nút &quot;Nạp biên nhận…&quot;.</translation>
    </message>
    <message>
        <source>The command&apos;s receipt</source>
        <translation>Biên nhận của Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>Receipts (*.json *.txt *.receipt);;All files (*)</source>
        <translation>Biên nhận (*.json *.txt *.receipt);;Mọi tệp (*)</translation>
    </message>
    <message>
        <source>Receipt checked: the command received the batch of {when}. Its visits are marked delivered.</source>
        <translation>Biên nhận hợp lệ: Bộ Chỉ huy đã nhận đợt gửi {when}. Các chuyến thăm trong đó được đánh dấu đã giao.</translation>
    </message>
</context>
<context>
    <name>PageModel</name>
    <message>
        <source>Page</source>
        <translation>Trang</translation>
    </message>
    <message>
        <source>Video, {duration}</source>
        <translation>Video, dài {duration}</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>This page is the item&apos;s cover.</source>
        <translation>Trang này là ảnh bìa của hiện vật.</translation>
    </message>
</context>
<context>
    <name>PageViewer</name>
    <message>
        <source>Page</source>
        <translation>Trang</translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation>Đang mở…</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Phát</translation>
    </message>
    <message>
        <source>Position in the video</source>
        <translation>Vị trí trong video</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Video playback is not available on this laptop.</source>
        <translation>Máy này chưa phát được video.</translation>
    </message>
    <message>
        <source>This video cannot be played on this laptop: the file may be damaged, or its format is one this laptop cannot decode. The original is kept unchanged in the vault.</source>
        <translation>Không phát được video này trên máy tính này: tệp có thể bị hỏng, hoặc máy không giải mã được định dạng của nó. Bản gốc vẫn được giữ nguyên trong kho.</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Tạm dừng</translation>
    </message>
</context>
<context>
    <name>PagesPanel</name>
    <message>
        <source>Move page</source>
        <translation>Chuyển trang</translation>
    </message>
    <message>
        <source>Turn page</source>
        <translation>Xoay trang</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>Thêm ảnh…</translation>
    </message>
    <message>
        <source>From a folder…</source>
        <translation>Từ thư mục…</translation>
    </message>
    <message>
        <source>From a card or phone…</source>
        <translation>Từ thẻ nhớ, điện thoại…</translation>
    </message>
    <message>
        <source>Take a photo</source>
        <translation>Chụp ảnh</translation>
    </message>
    <message>
        <source>↺ Turn left</source>
        <translation>↺ Xoay trái</translation>
    </message>
    <message>
        <source>↻ Turn right</source>
        <translation>↻ Xoay phải</translation>
    </message>
    <message>
        <source>★ Set as cover</source>
        <translation>★ Đặt làm bìa</translation>
    </message>
    <message>
        <source>Remove page</source>
        <translation>Bỏ trang</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Hoàn tác</translation>
    </message>
    <message>
        <source>No pages yet. Add the photos of this item: drag them here, or use the buttons above.</source>
        <translation>Chưa có trang nào. Hãy thêm ảnh của hiện vật này: kéo thả ảnh vào đây, hoặc dùng các nút ở trên.</translation>
    </message>
    <message>
        <source>{n} pages</source>
        <translation>{n} trang</translation>
    </message>
    <message>
        <source>Photos and videos ({patterns})</source>
        <translation>Ảnh và video ({patterns})</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Tất cả các tệp (*)</translation>
    </message>
    <message>
        <source>Choose photos and videos</source>
        <translation>Chọn ảnh và video</translation>
    </message>
    <message>
        <source>Choose a folder of photos</source>
        <translation>Chọn thư mục ảnh</translation>
    </message>
    <message>
        <source>This photo is already page {n} of this item: nothing was added.</source>
        <translation>Ảnh này đã là trang {n} của hiện vật này: không thêm trang mới.</translation>
    </message>
    <message>
        <source>This photo is already in this item: nothing was added.</source>
        <translation>Ảnh này đã có trong hiện vật này: không thêm trang mới.</translation>
    </message>
</context>
<context>
    <name>PassphrasePair</name>
    <message>
        <source>The passphrase needs at least 10 characters.</source>
        <translation>Mật khẩu cần có ít nhất 10 ký tự.</translation>
    </message>
    <message>
        <source>The two passphrases are not the same.</source>
        <translation>Hai mật khẩu chưa giống nhau.</translation>
    </message>
    <message>
        <source>At least 10 characters. A short sentence you can remember is good, for example a line of a song.</source>
        <translation>Ít nhất 10 ký tự. Nên dùng một câu ngắn dễ nhớ, ví dụ một câu hát.</translation>
    </message>
    <message>
        <source>New passphrase</source>
        <translation>Mật khẩu mới</translation>
    </message>
    <message>
        <source>Type it again</source>
        <translation>Nhập lại mật khẩu</translation>
    </message>
</context>
<context>
    <name>PhotoViewer</name>
    <message>
        <source>Photos of the visit</source>
        <translation>Ảnh của chuyến thăm</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ Ảnh trước</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>Ảnh sau ▶</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Vừa khung</translation>
    </message>
    <message>
        <source>100 %</source>
        <translation>100 %</translation>
    </message>
    <message>
        <source>Play the video</source>
        <translation>Phát video</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Zoom out (−)</source>
        <translation>Thu nhỏ (−)</translation>
    </message>
    <message>
        <source>Zoom in (+)</source>
        <translation>Phóng to (+)</translation>
    </message>
    <message>
        <source>The whole photo in the window (0)</source>
        <translation>Cả tấm ảnh trong khung (0)</translation>
    </message>
    <message>
        <source>One pixel of the photo on one pixel of the screen (1)</source>
        <translation>Mỗi điểm ảnh đúng một điểm trên màn hình (1)</translation>
    </message>
    <message>
        <source>This visit has no photos.</source>
        <translation>Chuyến thăm này chưa có ảnh.</translation>
    </message>
    <message>
        <source>{n} of {total}</source>
        <translation>{n} / {total}</translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation>Đang mở…</translation>
    </message>
    <message>
        <source>This photo cannot be shown.</source>
        <translation>Không hiển thị được ảnh này.</translation>
    </message>
</context>
<context>
    <name>PracticeBanner</name>
    <message>
        <source>Household</source>
        <translation>Hộ gia đình</translation>
    </message>
    <message>
        <source>Open the sample visit and check the household: village, contact person, phone.</source>
        <translation>Mở chuyến thăm mẫu và kiểm tra thông tin hộ gia đình: thôn/tổ dân phố, người liên hệ, số điện thoại.</translation>
    </message>
    <message>
        <source>Martyr</source>
        <translation>Liệt sĩ</translation>
    </message>
    <message>
        <source>Add the martyr the family speaks of: Nguyễn Văn Thắng, born 1950, battalion 8, fell near Suối Đá in 1972.</source>
        <translation>Thêm liệt sĩ mà gia đình kể: Nguyễn Văn Thắng, sinh năm 1950, tiểu đoàn 8, hy sinh gần Suối Đá năm 1972.</translation>
    </message>
    <message>
        <source>Items and pages</source>
        <translation>Hiện vật và trang ảnh</translation>
    </message>
    <message>
        <source>Add a letter, a diary, a certificate and a hand-drawn map, and import their pictures from the practice samples folder, every page in order.</source>
        <translation>Thêm một bức thư, một cuốn nhật ký, một giấy chứng nhận và một bản đồ vẽ tay, rồi nhập ảnh của chúng từ thư mục mẫu luyện tập, đủ mọi trang theo đúng thứ tự.</translation>
    </message>
    <message>
        <source>Testimony with markers</source>
        <translation>Lời kể và điểm đánh dấu</translation>
    </message>
    <message>
        <source>Import the sample recording (loi-ke.flac) and set a marker where the unit is named.</source>
        <translation>Nhập bản ghi mẫu (loi-ke.flac) và đặt một điểm đánh dấu ở chỗ nhắc tên đơn vị.</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>Manh mối</translation>
    </message>
    <message>
        <source>Add a lead: the burial place south of hill 203, from the map and the testimony.</source>
        <translation>Thêm một manh mối: nơi chôn cất phía nam cao điểm 203, theo bản đồ và lời kể.</translation>
    </message>
    <message>
        <source>DNA volunteer</source>
        <translation>Người tình nguyện cho mẫu ADN</translation>
    </message>
    <message>
        <source>Add the martyr&apos;s younger sister as a relative willing to give a DNA sample, with her phone.</source>
        <translation>Thêm em gái của liệt sĩ là thân nhân sẵn lòng cho mẫu ADN, kèm số điện thoại của bà.</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Phiếu đồng ý</translation>
    </message>
    <message>
        <source>Go through the consent with the family, each scope in plain words, and have the representative sign.</source>
        <translation>Cùng gia đình đi qua phiếu đồng ý, giải thích từng phạm vi bằng lời dễ hiểu, rồi mời người đại diện ký.</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Duyệt</translation>
    </message>
    <message>
        <source>Check and submit the visit; then sign in as the coordinator ({user}) to review it.</source>
        <translation>Kiểm tra và gửi duyệt chuyến thăm; sau đó đăng nhập bằng tài khoản điều phối viên ({user}) để duyệt.</translation>
    </message>
    <message>
        <source>Nothing here is real and nothing can be sent. Every account&apos;s passphrase: {passphrase}</source>
        <translation>Không có gì ở đây là thật và không thể gửi đi. Mật khẩu của mọi tài khoản: {passphrase}</translation>
    </message>
    <message>
        <source>Put the sample back</source>
        <translation>Đặt lại dữ liệu mẫu</translation>
    </message>
    <message>
        <source>Leave the practice</source>
        <translation>Thoát luyện tập</translation>
    </message>
    <message>
        <source>◀ Back</source>
        <translation>◀ Quay lại</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>Tiếp ▶</translation>
    </message>
    <message>
        <source>How? (F1)</source>
        <translation>Làm thế nào? (F1)</translation>
    </message>
    <message>
        <source>Everything done in the practice is wiped and the sample household is put back as new. Continue?</source>
        <translation>Mọi thứ đã làm trong buổi luyện tập sẽ bị xóa và hộ gia đình mẫu được đặt lại như mới. Tiếp tục?</translation>
    </message>
    <message>
        <source>Step {n} of {total} — {title}: {what}</source>
        <translation>Bước {n}/{total} — {title}: {what}</translation>
    </message>
</context>
<context>
    <name>RecordSection</name>
    <message>
        <source>Remove</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>(no name yet)</source>
        <translation>(chưa có tên)</translation>
    </message>
    <message>
        <source>Remove “{name}” from this visit?</source>
        <translation>Xóa “{name}” khỏi chuyến thăm này?</translation>
    </message>
</context>
<context>
    <name>RecorderScreen</name>
    <message>
        <source>Testimony</source>
        <translation>Lời kể</translation>
    </message>
    <message>
        <source>Recording:</source>
        <translation>Bản ghi:</translation>
    </message>
    <message>
        <source>New testimony</source>
        <translation>Lời kể mới</translation>
    </message>
    <message>
        <source>Who is speaking</source>
        <translation>Người kể</translation>
    </message>
    <message>
        <source>A person of the visit, or a name</source>
        <translation>Một người trong chuyến thăm, hoặc gõ tên</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Người kể</translation>
    </message>
    <message>
        <source>e.g. Vietnamese, Huế dialect</source>
        <translation>ví dụ: tiếng Việt, giọng Huế</translation>
    </message>
    <message>
        <source>Language or dialect</source>
        <translation>Ngôn ngữ hoặc phương ngữ</translation>
    </message>
    <message>
        <source>About the martyrs</source>
        <translation>Về các liệt sĩ</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Save details</source>
        <translation>Lưu thông tin</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Ghi âm</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Micro</translation>
    </message>
    <message>
        <source>Look again</source>
        <translation>Tìm lại</translation>
    </message>
    <message>
        <source>Look for microphones again</source>
        <translation>Tìm lại micro</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Dừng</translation>
    </message>
    <message>
        <source>Marker (press M or F2 while recording)</source>
        <translation>Đánh dấu (bấm M hoặc F2 khi đang ghi)</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Người</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Địa điểm</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Ngày tháng</translation>
    </message>
    <message>
        <source>Coordinates</source>
        <translation>Tọa độ</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Khác</translation>
    </message>
    <message>
        <source>Add marker</source>
        <translation>Thêm dấu</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Nghe lại</translation>
    </message>
    <message>
        <source>No microphone was found. Plug in a microphone (or switch it on and check its cable), then press Look again. The app also looks by itself every few seconds.</source>
        <translation>Không tìm thấy micro nào. Hãy cắm micro vào máy (hoặc bật micro và kiểm tra dây cắm), rồi bấm Tìm lại. Ứng dụng cũng tự tìm lại sau vài giây.</translation>
    </message>
    <message>
        <source>Microphone found: %1</source>
        <translation>Đã tìm thấy micro: %1</translation>
    </message>
    <message>
        <source>Testimony %1</source>
        <translation>Lời kể %1</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Đã lưu.</translation>
    </message>
    <message>
        <source>Recovered the recording of %1 up to second %2.</source>
        <translation>Đã khôi phục bản ghi của %1 đến giây %2.</translation>
    </message>
    <message>
        <source>an unnamed speaker</source>
        <translation>người kể chưa có tên</translation>
    </message>
    <message>
        <source>no coordinates understood yet (for example 16.7463, 107.1856 or 48Q XD 841 420)</source>
        <translation>chưa hiểu được tọa độ nào (ví dụ 16.7463, 107.1856 hoặc 48Q XD 841 420)</translation>
    </message>
    <message>
        <source>Continue recording</source>
        <translation>Ghi tiếp</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Ghi tiếp</translation>
    </message>
    <message>
        <source>Peak %1 dBFS, RMS %2 dBFS, overflows: %3</source>
        <translation>Đỉnh %1 dBFS, RMS %2 dBFS, tràn bộ đệm: %3</translation>
    </message>
    <message>
        <source>Recorded %1</source>
        <translation>Đã ghi %1</translation>
    </message>
    <message>
        <source>Space left on the disk: about %1 minutes</source>
        <translation>Dung lượng đĩa còn ghi được khoảng %1 phút</translation>
    </message>
    <message>
        <source>The microphone stopped working. The first %1 are kept. Choose a microphone and press Continue recording.</source>
        <translation>Micro đã ngừng hoạt động. Phần đã ghi (%1) được giữ nguyên. Hãy chọn micro rồi bấm Ghi tiếp.</translation>
    </message>
    <message>
        <source>The disk is nearly full: about %1 minutes of recording left.</source>
        <translation>Đĩa sắp đầy: chỉ còn ghi được khoảng %1 phút.</translation>
    </message>
    <message>
        <source>The disk is full: the recording was stopped and everything recorded is kept.</source>
        <translation>Đĩa đã đầy: việc ghi âm đã dừng và mọi phần đã ghi được giữ nguyên.</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyPage</name>
    <message>
        <source>The recovery key</source>
        <translation>Khóa khôi phục</translation>
    </message>
    <message>
        <source>If every passphrase is forgotten, only this key can open the station&apos;s vault. It is shown only this once. Write it down on paper, or save it as a PDF and print it, then keep it in a safe place away from the laptop.</source>
        <translation>Nếu mọi mật khẩu đều bị quên, chỉ khóa này mới mở được kho dữ liệu của trạm. Khóa chỉ hiện ra một lần này. Hãy chép ra giấy, hoặc lưu thành tệp PDF rồi in ra, sau đó cất ở nơi an toàn, để riêng với máy tính.</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Lưu thành PDF…</translation>
    </message>
    <message>
        <source>I have written down or printed the recovery key</source>
        <translation>Tôi đã chép lại hoặc in khóa khôi phục</translation>
    </message>
    <message>
        <source>Save the recovery key as PDF</source>
        <translation>Lưu khóa khôi phục thành PDF</translation>
    </message>
    <message>
        <source>recovery-key.pdf</source>
        <translation>khoa-khoi-phuc.pdf</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Tệp PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saved to {path}. Print it now, then keep the paper in a safe place.</source>
        <translation>Đã lưu vào {path}. Hãy in ra ngay, rồi cất tờ giấy ở nơi an toàn.</translation>
    </message>
</context>
<context>
    <name>RecoveryPdf</name>
    <message>
        <source>This key opens the station&apos;s vault if every passphrase is forgotten. Without it, and without a passphrase, everything recorded on this laptop is lost.</source>
        <translation>Khóa này mở được kho dữ liệu của trạm khi mọi mật khẩu đều bị quên. Nếu mất cả khóa này lẫn mật khẩu, mọi thứ đã ghi trên máy tính này sẽ mất.</translation>
    </message>
    <message>
        <source>Keep this sheet in a safe, locked place, away from the laptop. Do not photograph it and do not send it by message or e-mail.</source>
        <translation>Cất tờ giấy này ở nơi an toàn, có khóa, để riêng với máy tính. Không chụp ảnh, không gửi qua tin nhắn hay thư điện tử.</translation>
    </message>
    <message>
        <source>Anyone who has this key and the laptop can read everything in the vault. If the sheet is lost or seen by someone else, the station admin must make a new recovery key at once.</source>
        <translation>Ai có khóa này và máy tính đều đọc được toàn bộ kho dữ liệu. Nếu tờ giấy bị mất hoặc bị người khác nhìn thấy, quản trị trạm phải tạo khóa khôi phục mới ngay.</translation>
    </message>
    <message>
        <source>To use it: on the sign-in screen choose &quot;Forgot passphrase? Use the recovery key&quot;, type your user name and the key, then choose a new passphrase.</source>
        <translation>Cách dùng: ở màn hình đăng nhập, chọn &quot;Quên mật khẩu? Dùng khóa khôi phục&quot;, nhập tên đăng nhập và khóa này, rồi đặt mật khẩu mới.</translation>
    </message>
    <message>
        <source>Recovery key</source>
        <translation>Khóa khôi phục</translation>
    </message>
    <message>
        <source>Station recovery key</source>
        <translation>Khóa khôi phục của trạm</translation>
    </message>
    <message>
        <source>Station: {name}</source>
        <translation>Trạm: {name}</translation>
    </message>
    <message>
        <source>Place: {ward}, {province}</source>
        <translation>Địa bàn: {ward}, {province}</translation>
    </message>
    <message>
        <source>Made on: {date}</source>
        <translation>Ngày tạo: {date}</translation>
    </message>
    <message>
        <source>What to do with this sheet</source>
        <translation>Cần làm gì với tờ giấy này</translation>
    </message>
    <message>
        <source>Write down the user names of the station&apos;s accounts here:</source>
        <translation>Ghi tên đăng nhập của các tài khoản trong trạm vào đây:</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>Reports</source>
        <translation>Báo cáo</translation>
    </message>
    <message>
        <source>The station&apos;s own figures for a period, counted from what was recorded on this laptop. The command adds lead verification, DNA and remains.</source>
        <translation>Số liệu của trạm trong một kỳ, tính từ những gì đã ghi trên máy này. Bộ Chỉ huy bổ sung số liệu xác minh manh mối, ADN và hài cốt.</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>Tuần</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>Tháng</translation>
    </message>
    <message>
        <source>Quarter</source>
        <translation>Quý</translation>
    </message>
    <message>
        <source>Half-year</source>
        <translation>6 tháng</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>Năm</translation>
    </message>
    <message>
        <source>Campaign to date</source>
        <translation>Từ đầu Chiến dịch</translation>
    </message>
    <message>
        <source>From … to …</source>
        <translation>Từ ngày … đến ngày …</translation>
    </message>
    <message>
        <source>Calendar periods</source>
        <translation>Kỳ theo lịch</translation>
    </message>
    <message>
        <source>Decree 09/2019 (15th to 14th)</source>
        <translation>Nghị định 09/2019 (ngày 15 đến ngày 14)</translation>
    </message>
    <message>
        <source>Only what was recorded up to the end of this day is counted, so the same day always gives the same figures.</source>
        <translation>Chỉ tính những gì đã ghi đến hết ngày này, nên cùng một ngày luôn cho cùng số liệu.</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Kỳ</translation>
    </message>
    <message>
        <source>Cut-off rule</source>
        <translation>Quy tắc chốt số liệu</translation>
    </message>
    <message>
        <source>Recorded up to</source>
        <translation>Số liệu đến hết ngày</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>Chỉ số</translation>
    </message>
    <message>
        <source>This period</source>
        <translation>Kỳ này</translation>
    </message>
    <message>
        <source>Previous period</source>
        <translation>Kỳ trước</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Tăng, giảm</translation>
    </message>
    <message>
        <source>Recent periods</source>
        <translation>Diễn biến các kỳ gần đây</translation>
    </message>
    <message>
        <source>Export XLSX…</source>
        <translation>Xuất XLSX…</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>Xuất PDF…</translation>
    </message>
    <message>
        <source>The report in the layout of an official report, in Vietnamese, ready to sign.</source>
        <translation>Báo cáo theo thể thức văn bản hành chính, bằng tiếng Việt, sẵn sàng để ký.</translation>
    </message>
    <message>
        <source>The first day of the range comes after the last; choose the dates again.</source>
        <translation>Ngày bắt đầu sau ngày kết thúc; hãy chọn lại ngày.</translation>
    </message>
    <message>
        <source>{period}. {rule} Counted: what was recorded before {cutoff}; {records} records (check code {digest}).</source>
        <translation>{period}. {rule} Số liệu tính đến {cutoff}; {records} bản ghi (mã kiểm tra {digest}).</translation>
    </message>
    <message>
        <source>Not yet recorded</source>
        <translation>Chưa có số liệu</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Bảng tính Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>Tệp PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Save the report as</source>
        <translation>Lưu báo cáo thành</translation>
    </message>
    <message>
        <source>Report saved: {path}</source>
        <translation>Đã lưu báo cáo: {path}</translation>
    </message>
    <message>
        <source>The report could not be saved there: choose another folder or free some space.</source>
        <translation>Không lưu được báo cáo vào đó: hãy chọn thư mục khác hoặc giải phóng dung lượng.</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <source>Return the visit to the volunteer</source>
        <translation>Trả lại chuyến thăm cho tình nguyện viên</translation>
    </message>
    <message>
        <source>Say what needs fixing, so the volunteer can do it on the next visit or call.</source>
        <translation>Ghi rõ cần sửa gì, để tình nguyện viên làm trong lần thăm hoặc cuộc gọi sau.</translation>
    </message>
    <message>
        <source>Comment on the visit (required)</source>
        <translation>Ý kiến về chuyến thăm (bắt buộc)</translation>
    </message>
    <message>
        <source>Comment on this item (optional)</source>
        <translation>Ý kiến về hiện vật này (không bắt buộc)</translation>
    </message>
    <message>
        <source>Write a comment for the visit.</source>
        <translation>Hãy ghi ý kiến về chuyến thăm.</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>Trả lại</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <source>✓ complete</source>
        <translation>✓ đầy đủ</translation>
    </message>
    <message>
        <source>A draft, not sent yet.</source>
        <translation>Bản nháp, chưa gửi.</translation>
    </message>
    <message>
        <source>Submitted for review for the first time.</source>
        <translation>Gửi duyệt lần đầu.</translation>
    </message>
    <message>
        <source>Sent again after it was returned: check what was asked (below, in the earlier decisions).</source>
        <translation>Gửi lại sau khi bị trả lại: hãy xem những điều đã yêu cầu (bên dưới, trong các quyết định trước).</translation>
    </message>
    <message>
        <source>Returned to the volunteer.</source>
        <translation>Đã trả lại cho tình nguyện viên.</translation>
    </message>
    <message>
        <source>consent missing</source>
        <translation>thiếu phiếu đồng ý</translation>
    </message>
    <message>
        <source>consent invalid</source>
        <translation>phiếu không hợp lệ</translation>
    </message>
    <message>
        <source>no photos</source>
        <translation>chưa có ảnh</translation>
    </message>
    <message>
        <source>household incomplete</source>
        <translation>thiếu thông tin hộ</translation>
    </message>
    <message>
        <source>no martyr</source>
        <translation>chưa có liệt sĩ</translation>
    </message>
    <message>
        <source>place missing</source>
        <translation>thiếu nơi chốn</translation>
    </message>
    <message>
        <source>photo quality</source>
        <translation>chất lượng ảnh</translation>
    </message>
    <message>
        <source>audio quality</source>
        <translation>chất lượng ghi âm</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Duyệt</translation>
    </message>
    <message>
        <source>Withdrawal by reference code…</source>
        <translation>Rút lại theo mã phiếu…</translation>
    </message>
    <message>
        <source>A family calls or writes with the code on their receipt to take back their consent.</source>
        <translation>Gia đình gọi điện hoặc viết thư, đọc mã trên giấy biên nhận để rút lại sự đồng ý.</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Waiting for review</source>
        <translation>Đang chờ duyệt</translation>
    </message>
    <message>
        <source>Nothing to review</source>
        <translation>Không có gì cần duyệt</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>Hộ gia đình</translation>
    </message>
    <message>
        <source>Martyrs and people</source>
        <translation>Liệt sĩ và người liên quan</translation>
    </message>
    <message>
        <source>Items and photos</source>
        <translation>Hiện vật và ảnh</translation>
    </message>
    <message>
        <source>Recordings</source>
        <translation>Bản ghi âm</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Phiếu đồng ý</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>Danh sách kiểm tra</translation>
    </message>
    <message>
        <source>Earlier decisions</source>
        <translation>Các quyết định trước</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Quyết định</translation>
    </message>
    <message>
        <source>Comment (optional)</source>
        <translation>Ý kiến (không bắt buộc)</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Duyệt</translation>
    </message>
    <message>
        <source>Return with comments…</source>
        <translation>Trả lại kèm ý kiến…</translation>
    </message>
    <message>
        <source>Choose a visit in the list</source>
        <translation>Chọn một chuyến thăm trong danh sách</translation>
    </message>
    <message>
        <source>Visit of {date} · {contact}</source>
        <translation>Chuyến thăm ngày {date} · {contact}</translation>
    </message>
    <message>
        <source>Contact: {name} {phone}</source>
        <translation>Người liên hệ: {name} {phone}</translation>
    </message>
    <message>
        <source>Martyr: &lt;b&gt;{name}&lt;/b&gt; {facts}</source>
        <translation>Liệt sĩ: &lt;b&gt;{name}&lt;/b&gt; {facts}</translation>
    </message>
    <message>
        <source>No one recorded.</source>
        <translation>Chưa ghi ai.</translation>
    </message>
    <message>
        <source>No recordings.</source>
        <translation>Không có bản ghi âm.</translation>
    </message>
    <message>
        <source>✗ fails its check: {problems}</source>
        <translation>✗ không khớp khi kiểm tra: {problems}</translation>
    </message>
    <message>
        <source>{item} · page {n} of {total}</source>
        <translation>{item} · trang {n}/{total}</translation>
    </message>
    <message>
        <source>↻ sent again</source>
        <translation>↻ gửi lại</translation>
    </message>
    <message>
        <source>Returned earlier; the volunteer made the changes and sent it again.</source>
        <translation>Đã bị trả lại trước đây; tình nguyện viên đã sửa và gửi lại.</translation>
    </message>
    <message>
        <source>✓ signature verified</source>
        <translation>✓ chữ ký số hợp lệ</translation>
    </message>
    <message>
        <source>consent</source>
        <translation>phiếu đồng ý</translation>
    </message>
    <message>
        <source>amended consent</source>
        <translation>phiếu đồng ý sửa đổi</translation>
    </message>
    <message>
        <source>withdrawal</source>
        <translation>rút lại sự đồng ý</translation>
    </message>
    <message>
        <source>No consent.</source>
        <translation>Chưa có phiếu đồng ý.</translation>
    </message>
    <message>
        <source>submitted</source>
        <translation>đã gửi duyệt</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>đã duyệt</translation>
    </message>
    <message>
        <source>sent again after changes</source>
        <translation>gửi lại sau khi sửa</translation>
    </message>
    <message>
        <source>returned</source>
        <translation>đã trả lại</translation>
    </message>
    <message>
        <source>comment</source>
        <translation>ý kiến</translation>
    </message>
    <message>
        <source>No items.</source>
        <translation>Không có hiện vật.</translation>
    </message>
    <message>
        <source>{count} pages</source>
        <translation>{count} trang</translation>
    </message>
    <message>
        <source>Page {n}</source>
        <translation>Trang {n}</translation>
    </message>
    <message>
        <source>Approved.</source>
        <translation>Đã duyệt.</translation>
    </message>
    <message>
        <source>Open full size: {name}</source>
        <translation>Mở cỡ đầy đủ: {name}</translation>
    </message>
    <message>
        <source>page {n}</source>
        <translation>trang {n}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{speaker}&lt;/b&gt; · {minutes}:{seconds} · {markers} markers</source>
        <translation>&lt;b&gt;{speaker}&lt;/b&gt; · {minutes}:{seconds} · {markers} dấu</translation>
    </message>
    <message>
        <source>Returned to the volunteer with your comments.</source>
        <translation>Đã trả lại cho tình nguyện viên kèm ý kiến của bạn.</translation>
    </message>
</context>
<context>
    <name>SearchHit</name>
    <message>
        <source>Household</source>
        <translation>Hộ gia đình</translation>
    </message>
    <message>
        <source>Martyr</source>
        <translation>Liệt sĩ</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Người</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Hiện vật</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>Manh mối</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>Use this language</source>
        <translation>Dùng ngôn ngữ này</translation>
    </message>
    <message>
        <source>The new language is used from the next start of the app.</source>
        <translation>Ngôn ngữ mới được dùng từ lần mở ứng dụng sau.</translation>
    </message>
    <message>
        <source>Saved. Close and open the app again to see it in {lang}.</source>
        <translation>Đã lưu. Hãy đóng rồi mở lại ứng dụng để dùng {lang}.</translation>
    </message>
    <message>
        <source>My passphrase</source>
        <translation>Mật khẩu của tôi</translation>
    </message>
    <message>
        <source>Current passphrase</source>
        <translation>Mật khẩu hiện tại</translation>
    </message>
    <message>
        <source>Change my passphrase</source>
        <translation>Đổi mật khẩu</translation>
    </message>
    <message>
        <source>Your passphrase was changed. Use the new one from now on.</source>
        <translation>Đã đổi mật khẩu. Từ nay hãy dùng mật khẩu mới.</translation>
    </message>
    <message>
        <source>Automatic lock</source>
        <translation>Tự động khóa</translation>
    </message>
    <message>
        <source>The station locks itself after this many minutes without use, so that a laptop left open does not show the families&apos; data.</source>
        <translation>Trạm tự khóa sau số phút không dùng này, để máy tính bỏ mở không làm lộ dữ liệu của các gia đình.</translation>
    </message>
    <message>
        <source> minutes</source>
        <translation> phút</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>The automatic lock was saved.</source>
        <translation>Đã lưu thời gian tự động khóa.</translation>
    </message>
    <message>
        <source>Media sent to the command</source>
        <translation>Tư liệu đã gửi Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>Photos, videos and recordings the command has confirmed receiving can be removed from this laptop after this many days, so that a lost laptop holds less. The records and their fingerprints stay.</source>
        <translation>Ảnh, video và bản ghi âm mà Bộ Chỉ huy đã xác nhận nhận được có thể được xóa khỏi máy này sau số ngày dưới đây, để nếu mất máy thì máy chứa ít dữ liệu hơn. Hồ sơ và dấu vân tay của tệp vẫn được giữ lại.</translation>
    </message>
    <message>
        <source>Off (keep everything)</source>
        <translation>Tắt (giữ lại tất cả)</translation>
    </message>
    <message>
        <source> days</source>
        <translation> ngày</translation>
    </message>
    <message>
        <source>The retention period was saved.</source>
        <translation>Đã lưu thời hạn lưu giữ.</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Tài khoản</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Họ và tên</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Tên đăng nhập</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Vai trò</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>Đổi vai trò</translation>
    </message>
    <message>
        <source>Reset passphrase…</source>
        <translation>Đặt lại mật khẩu…</translation>
    </message>
    <message>
        <source>Disable account…</source>
        <translation>Vô hiệu hóa tài khoản…</translation>
    </message>
    <message>
        <source>New account</source>
        <translation>Tài khoản mới</translation>
    </message>
    <message>
        <source>Temporary passphrase (at least 10 characters; the person chooses their own at first sign-in)</source>
        <translation>Mật khẩu tạm thời (ít nhất 10 ký tự; người dùng sẽ tự đặt mật khẩu riêng khi đăng nhập lần đầu)</translation>
    </message>
    <message>
        <source>Create account</source>
        <translation>Tạo tài khoản</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Đang hoạt động</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Đã vô hiệu hóa</translation>
    </message>
    <message>
        <source>Type the person&apos;s full name and a user name.</source>
        <translation>Hãy nhập họ tên và tên đăng nhập của người dùng.</translation>
    </message>
    <message>
        <source>The account {username} was created. Give the person the temporary passphrase in private.</source>
        <translation>Đã tạo tài khoản {username}. Hãy trao mật khẩu tạm thời riêng cho người đó.</translation>
    </message>
    <message>
        <source>The role of {username} was changed.</source>
        <translation>Đã đổi vai trò của {username}.</translation>
    </message>
    <message>
        <source>Reset passphrase</source>
        <translation>Đặt lại mật khẩu</translation>
    </message>
    <message>
        <source>A temporary passphrase for {username} (at least 10 characters). They will choose their own at the next sign-in.</source>
        <translation>Mật khẩu tạm thời cho {username} (ít nhất 10 ký tự). Người này sẽ tự đặt mật khẩu riêng ở lần đăng nhập tới.</translation>
    </message>
    <message>
        <source>{username} must now sign in with the temporary passphrase.</source>
        <translation>{username} giờ phải đăng nhập bằng mật khẩu tạm thời.</translation>
    </message>
    <message>
        <source>Disable account</source>
        <translation>Vô hiệu hóa tài khoản</translation>
    </message>
    <message>
        <source>{username} will no longer be able to sign in. What they recorded stays in the vault. Disable the account?</source>
        <translation>{username} sẽ không đăng nhập được nữa. Những gì người này đã ghi vẫn được giữ trong kho dữ liệu. Vô hiệu hóa tài khoản?</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Vô hiệu hóa</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>{username} was disabled.</source>
        <translation>Đã vô hiệu hóa {username}.</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Set up the station — Digitize Memories</source>
        <translation>Cài đặt trạm — Số hóa ký ức</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Tiếp theo</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Create the station</source>
        <translation>Tạo trạm</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <source>Lock</source>
        <translation>Khóa</translation>
    </message>
    <message>
        <source>Lock the station now; sign in again to continue.</source>
        <translation>Khóa trạm ngay; đăng nhập lại để làm tiếp.</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>Chuyến thăm</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Duyệt</translation>
    </message>
    <message>
        <source>Send to the command</source>
        <translation>Gửi về Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Báo cáo</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>{name} · {role}</source>
        <translation>{name} · {role}</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>Sign here with the mouse, a finger or a pen.</source>
        <translation>Ký vào đây bằng chuột, ngón tay hoặc bút.</translation>
    </message>
    <message>
        <source>Sign here</source>
        <translation>Ký vào đây</translation>
    </message>
</context>
<context>
    <name>StationPage</name>
    <message>
        <source>The station</source>
        <translation>Trạm</translation>
    </message>
    <message>
        <source>A station is this laptop and the team that uses it. Give it a name the command will recognise, and the province and commune or ward where the team works.</source>
        <translation>Trạm là chiếc máy tính này cùng nhóm sử dụng nó. Hãy đặt cho trạm một cái tên mà Bộ Chỉ huy nhận ra được, và chọn tỉnh, xã hoặc phường nơi nhóm làm việc.</translation>
    </message>
    <message>
        <source>For example: Youth Union of Ba Đình ward, team 1</source>
        <translation>Ví dụ: Đoàn Thanh niên phường Ba Đình, tổ 1</translation>
    </message>
    <message>
        <source>Type to search, or choose from the list</source>
        <translation>Gõ để tìm, hoặc chọn trong danh sách</translation>
    </message>
    <message>
        <source>Choose the province first</source>
        <translation>Hãy chọn tỉnh trước</translation>
    </message>
    <message>
        <source>Station name</source>
        <translation>Tên trạm</translation>
    </message>
    <message>
        <source>Province or city</source>
        <translation>Tỉnh hoặc thành phố</translation>
    </message>
    <message>
        <source>Commune or ward</source>
        <translation>Xã hoặc phường</translation>
    </message>
</context>
<context>
    <name>TestimonyPlayer</name>
    <message>
        <source>Play</source>
        <translation>Phát</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Người</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Địa điểm</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Ngày tháng</translation>
    </message>
    <message>
        <source>Coordinates</source>
        <translation>Tọa độ</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Khác</translation>
    </message>
    <message>
        <source>no coordinates understood</source>
        <translation>không hiểu được tọa độ nào</translation>
    </message>
    <message>
        <source>Playback is not possible: no sound output was found.</source>
        <translation>Không phát được: không tìm thấy loa hoặc tai nghe.</translation>
    </message>
    <message>
        <source>Pause playback</source>
        <translation>Dừng phát</translation>
    </message>
</context>
<context>
    <name>UsbDialog</name>
    <message>
        <source>Write to USB drive</source>
        <translation>Ghi ra USB</translation>
    </message>
    <message>
        <source>Plug in the USB drive and choose it. The batch ({size}) is encrypted for the command: a lost drive reveals nothing.</source>
        <translation>Cắm USB vào rồi chọn nó. Đợt gửi ({size}) đã được mã hóa cho Bộ Chỉ huy: nếu mất USB cũng không lộ gì.</translation>
    </message>
    <message>
        <source>Looking for USB drives…</source>
        <translation>Đang tìm USB…</translation>
    </message>
    <message>
        <source>Choose a folder…</source>
        <translation>Chọn thư mục…</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>Ghi</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>No USB drive found. Plug one in, then press &quot;Look again&quot;, or choose a folder.</source>
        <translation>Không thấy USB nào. Hãy cắm vào rồi bấm &quot;Tìm lại&quot;, hoặc chọn một thư mục.</translation>
    </message>
    <message>
        <source>Write the batch into</source>
        <translation>Ghi đợt gửi vào</translation>
    </message>
</context>
<context>
    <name>VisitEditor</name>
    <message>
        <source>← All visits</source>
        <translation>← Tất cả chuyến thăm</translation>
    </message>
    <message>
        <source>This visit is shown as it was submitted; it can be changed again only if it is returned to you.</source>
        <translation>Chuyến thăm này đã được gửi đi và chỉ xem được; chỉ sửa lại được khi được trả về cho bạn.</translation>
    </message>
    <message>
        <source>— not linked —</source>
        <translation>— chưa gắn —</translation>
    </message>
    <message>
        <source>+ Add a martyr</source>
        <translation>+ Thêm liệt sĩ</translation>
    </message>
    <message>
        <source>No martyr recorded yet. Add each fallen soldier the family remembers, even if only a name is known.</source>
        <translation>Chưa ghi liệt sĩ nào. Hãy thêm từng liệt sĩ mà gia đình còn nhớ, dù chỉ biết tên.</translation>
    </message>
    <message>
        <source>+ Add a person</source>
        <translation>+ Thêm người</translation>
    </message>
    <message>
        <source>Nobody recorded yet: add the relatives, witnesses and veterans present.</source>
        <translation>Chưa ghi ai: hãy thêm thân nhân, nhân chứng và cựu chiến binh có mặt.</translation>
    </message>
    <message>
        <source>+ Add an item</source>
        <translation>+ Thêm hiện vật</translation>
    </message>
    <message>
        <source>No items yet. Add each keepsake, diary, letter or map, then its photos.</source>
        <translation>Chưa có hiện vật nào. Hãy thêm từng kỷ vật, nhật ký, thư hay bản đồ, rồi chụp ảnh từng cái.</translation>
    </message>
    <message>
        <source>+ Add a lead</source>
        <translation>+ Thêm manh mối</translation>
    </message>
    <message>
        <source>No leads yet. A lead is a clue to where a martyr may rest: a place, coordinates, a grid reference as it was said.</source>
        <translation>Chưa có manh mối nào. Manh mối là dấu vết về nơi liệt sĩ có thể yên nghỉ: một địa danh, tọa độ, hay tọa độ ô lưới như lời kể.</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>Hộ gia đình</translation>
    </message>
    <message>
        <source>Martyrs</source>
        <translation>Liệt sĩ</translation>
    </message>
    <message>
        <source>People present</source>
        <translation>Người có mặt</translation>
    </message>
    <message>
        <source>Items and photos</source>
        <translation>Hiện vật và ảnh</translation>
    </message>
    <message>
        <source>Testimony</source>
        <translation>Lời kể</translation>
    </message>
    <message>
        <source>Leads</source>
        <translation>Manh mối</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Phiếu đồng ý</translation>
    </message>
    <message>
        <source>Check and submit</source>
        <translation>Kiểm tra và gửi duyệt</translation>
    </message>
    <message>
        <source>Next step →</source>
        <translation>Bước tiếp theo →</translation>
    </message>
    <message>
        <source>1968, 03/1968 or 15/03/1968</source>
        <translation>1968, 03/1968 hoặc 15/03/1968</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Họ và tên</translation>
    </message>
    <message>
        <source>Other names (alias, name at home)</source>
        <translation>Tên khác (bí danh, tên ở nhà)</translation>
    </message>
    <message>
        <source>Year of birth</source>
        <translation>Năm sinh</translation>
    </message>
    <message>
        <source>Home town</source>
        <translation>Quê quán</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>Enlisted</source>
        <translation>Ngày nhập ngũ</translation>
    </message>
    <message>
        <source>Date of death</source>
        <translation>Ngày hy sinh</translation>
    </message>
    <message>
        <source>Place of death</source>
        <translation>Nơi hy sinh</translation>
    </message>
    <message>
        <source>What is known of the burial</source>
        <translation>Thông tin về nơi an táng</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Relative</source>
        <translation>Thân nhân</translation>
    </message>
    <message>
        <source>Witness</source>
        <translation>Nhân chứng</translation>
    </message>
    <message>
        <source>Veteran</source>
        <translation>Cựu chiến binh</translation>
    </message>
    <message>
        <source>Who they are</source>
        <translation>Là ai</translation>
    </message>
    <message>
        <source>Relationship to the martyr</source>
        <translation>Quan hệ với liệt sĩ</translation>
    </message>
    <message>
        <source>for example: younger sister, nephew</source>
        <translation>ví dụ: em gái, cháu trai</translation>
    </message>
    <message>
        <source>Martyr</source>
        <translation>Liệt sĩ</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Unit (veterans)</source>
        <translation>Đơn vị (cựu chiến binh)</translation>
    </message>
    <message>
        <source>Battles (veterans)</source>
        <translation>Các trận đánh (cựu chiến binh)</translation>
    </message>
    <message>
        <source>Willing to give a DNA sample</source>
        <translation>Đồng ý cho mẫu ADN</translation>
    </message>
    <message>
        <source>How to reach them for the DNA sample</source>
        <translation>Cách liên hệ để lấy mẫu ADN</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Tên hiện vật</translation>
    </message>
    <message>
        <source>for example: Letter to his mother, 1971</source>
        <translation>ví dụ: Thư gửi mẹ, năm 1971</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Mô tả</translation>
    </message>
    <message>
        <source>Kept by</source>
        <translation>Người giữ</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>Tình trạng</translation>
    </message>
    <message>
        <source>Hand-drawn map</source>
        <translation>Bản đồ vẽ tay</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Ảnh</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Giấy tờ</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Khác</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Thấp</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Vừa</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Cao</translation>
    </message>
    <message>
        <source>What the clue says</source>
        <translation>Nội dung manh mối</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>Vĩ độ</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>Kinh độ</translation>
    </message>
    <message>
        <source>Grid reference, as it was said</source>
        <translation>Tọa độ ô lưới, như lời kể</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <source>Where exactly</source>
        <translation>Ở chỗ nào</translation>
    </message>
    <message>
        <source>for example: recording 2, minute 14; map page 3</source>
        <translation>ví dụ: bản ghi 2, phút 14; bản đồ trang 3</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>Độ tin cậy</translation>
    </message>
    <message>
        <source>Visit of {date}</source>
        <translation>Chuyến thăm ngày {date}</translation>
    </message>
    <message>
        <source>The coordinator asks about this item: {comment}</source>
        <translation>Điều phối viên yêu cầu về hiện vật này: {comment}</translation>
    </message>
    <message>
        <source>Recording testimony is not available in this version yet.</source>
        <translation>Phiên bản này chưa ghi âm lời kể được.</translation>
    </message>
    <message>
        <source>All changes saved</source>
        <translation>Đã lưu mọi thay đổi</translation>
    </message>
</context>
<context>
    <name>VisitStatus</name>
    <message>
        <source>Draft</source>
        <translation>Nháp</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>Đã gửi</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Đã duyệt</translation>
    </message>
    <message>
        <source>Returned for changes</source>
        <translation>Trả về để sửa</translation>
    </message>
</context>
<context>
    <name>VisitsPage</name>
    <message>
        <source>Visits</source>
        <translation>Chuyến thăm</translation>
    </message>
    <message>
        <source>+ New visit</source>
        <translation>+ Chuyến thăm mới</translation>
    </message>
    <message>
        <source>Search names, places and items — with or without accents</source>
        <translation>Tìm tên người, địa danh, hiện vật — gõ có dấu hay không dấu đều được</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <source>Contact person</source>
        <translation>Người liên hệ</translation>
    </message>
    <message>
        <source>Village, commune</source>
        <translation>Thôn, xã</translation>
    </message>
    <message>
        <source>Martyrs</source>
        <translation>Liệt sĩ</translation>
    </message>
    <message>
        <source>Items / photos</source>
        <translation>Hiện vật / ảnh</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>No visits yet. Press “New visit” when you sit down with a family: the household, the martyrs they remember, the keepsakes you photograph and their story are saved as you go.</source>
        <translation>Chưa có chuyến thăm nào. Khi ngồi cùng một gia đình, hãy bấm “Chuyến thăm mới”: hộ gia đình, các liệt sĩ gia đình còn nhớ, những kỷ vật bạn chụp và lời kể đều được lưu ngay khi bạn ghi.</translation>
    </message>
    <message>
        <source>{items} items · {pages} photos</source>
        <translation>{items} hiện vật · {pages} ảnh</translation>
    </message>
    <message>
        <source>Nothing found for “{query}”.</source>
        <translation>Không tìm thấy gì cho “{query}”.</translation>
    </message>
</context>
<context>
    <name>WithdrawByCodeDialog</name>
    <message>
        <source>Withdrawal by reference code</source>
        <translation>Rút lại theo mã phiếu</translation>
    </message>
    <message>
        <source>Type the code the family reads from their receipt (DY-XXXX-XXXX).</source>
        <translation>Gõ mã gia đình đọc trên giấy biên nhận (DY-XXXX-XXXX).</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Tìm</translation>
    </message>
    <message>
        <source>Record the withdrawal…</source>
        <translation>Ghi nhận việc rút lại…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Type the code from the family&apos;s receipt.</source>
        <translation>Hãy gõ mã trên giấy biên nhận của gia đình.</translation>
    </message>
    <message>
        <source>Consent &lt;b&gt;{code}&lt;/b&gt;, signed by {name} on {when}, visit of {date} to {contact}.</source>
        <translation>Phiếu đồng ý &lt;b&gt;{code}&lt;/b&gt;, do {name} ký lúc {when}, chuyến thăm ngày {date} tới gia đình {contact}.</translation>
    </message>
    <message>
        <source>The code {quoted} was changed later; {code} is the consent in force now.</source>
        <translation>Phiếu {quoted} đã được thay đổi sau đó; phiếu {code} là phiếu đang có hiệu lực.</translation>
    </message>
    <message>
        <source>Everything it covered was already withdrawn.</source>
        <translation>Mọi tư liệu của phiếu này đã được rút lại.</translation>
    </message>
    <message>
        <source>It covers {count} photos and recordings.</source>
        <translation>Phiếu này áp dụng cho {count} ảnh và bản ghi âm.</translation>
    </message>
    <message>
        <source>Visit of {date} to {contact}.</source>
        <translation>Chuyến thăm ngày {date} tới gia đình {contact}.</translation>
    </message>
</context>
<context>
    <name>WithdrawalDialog</name>
    <message>
        <source>Record a withdrawal of consent</source>
        <translation>Ghi nhận rút lại sự đồng ý</translation>
    </message>
    <message>
        <source>Withdrawal of consent {code}</source>
        <translation>Rút lại phiếu đồng ý {code}</translation>
    </message>
    <message>
        <source>Write down the family&apos;s request as they made it. The consent record stays; a new signed record says what is taken back, and it is no longer sent anywhere.</source>
        <translation>Ghi lại yêu cầu của gia đình đúng như họ nói. Phiếu đồng ý cũ vẫn được giữ; một bản ghi mới có chữ ký số nêu rõ phần rút lại, và phần đó không được gửi đi đâu nữa.</translation>
    </message>
    <message>
        <source>e.g. daughter, nephew</source>
        <translation>vd. con gái, cháu</translation>
    </message>
    <message>
        <source>Who asked</source>
        <translation>Người yêu cầu</translation>
    </message>
    <message>
        <source>Relationship to the martyr</source>
        <translation>Quan hệ với liệt sĩ</translation>
    </message>
    <message>
        <source>By phone</source>
        <translation>Qua điện thoại</translation>
    </message>
    <message>
        <source>By letter</source>
        <translation>Bằng thư</translation>
    </message>
    <message>
        <source>In person</source>
        <translation>Trực tiếp</translation>
    </message>
    <message>
        <source>How</source>
        <translation>Hình thức</translation>
    </message>
    <message>
        <source>Date, phone number or other details</source>
        <translation>Ngày, số điện thoại hoặc chi tiết khác</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Chi tiết</translation>
    </message>
    <message>
        <source>Everything this consent covers</source>
        <translation>Toàn bộ tư liệu trong phiếu này</translation>
    </message>
    <message>
        <source>Only the photos and recordings chosen below</source>
        <translation>Chỉ những ảnh và bản ghi âm chọn dưới đây</translation>
    </message>
    <message>
        <source>Record the withdrawal</source>
        <translation>Ghi nhận rút lại</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Write the name of the person who asked.</source>
        <translation>Hãy ghi tên người yêu cầu.</translation>
    </message>
    <message>
        <source>Tick the photos or recordings the family takes back.</source>
        <translation>Hãy đánh dấu những ảnh hoặc bản ghi âm gia đình rút lại.</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>create, change or disable accounts</source>
        <translation>tạo, sửa hoặc vô hiệu hóa tài khoản</translation>
    </message>
    <message>
        <source>set another user&apos;s passphrase</source>
        <translation>đặt mật khẩu cho người dùng khác</translation>
    </message>
    <message>
        <source>change the station&apos;s name or place</source>
        <translation>đổi tên hoặc địa bàn của trạm</translation>
    </message>
    <message>
        <source>make a new recovery key</source>
        <translation>tạo khóa khôi phục mới</translation>
    </message>
    <message>
        <source>enrol the station with the command</source>
        <translation>đăng ký trạm với Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>read the audit log</source>
        <translation>xem nhật ký kiểm tra</translation>
    </message>
    <message>
        <source>export the audit log</source>
        <translation>xuất nhật ký kiểm tra</translation>
    </message>
    <message>
        <source>run the vault check</source>
        <translation>chạy kiểm tra kho dữ liệu</translation>
    </message>
    <message>
        <source>record visits, photos and testimony</source>
        <translation>ghi chuyến thăm, ảnh và lời kể</translation>
    </message>
    <message>
        <source>approve or return visits</source>
        <translation>duyệt hoặc trả lại chuyến thăm</translation>
    </message>
    <message>
        <source>build batches for the command</source>
        <translation>đóng gói dữ liệu gửi Bộ Chỉ huy</translation>
    </message>
    <message>
        <source>send batches or write them to USB</source>
        <translation>gửi gói dữ liệu hoặc chép ra USB</translation>
    </message>
    <message>
        <source>see the station&apos;s reports</source>
        <translation>xem báo cáo của trạm</translation>
    </message>
    <message>
        <source>store files in the vault</source>
        <translation>lưu tệp vào kho dữ liệu</translation>
    </message>
    <message>
        <source>record a family&apos;s withdrawal of consent</source>
        <translation>ghi nhận việc gia đình rút lại sự đồng ý</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>Passphrase: </source>
        <translation>Mật khẩu: </translation>
    </message>
    <message>
        <source>Checked {pages} database pages, {tables} tables, {events} audit events and {objects} stored files ({size}).</source>
        <translation>Đã kiểm tra {pages} trang cơ sở dữ liệu, {tables} bảng, {events} sự kiện nhật ký và {objects} tệp đã lưu ({size}).</translation>
    </message>
    <message>
        <source>Nothing is damaged.</source>
        <translation>Không có gì bị hư hỏng.</translation>
    </message>
    <message>
        <source>{count} problems found:</source>
        <translation>Tìm thấy {count} vấn đề:</translation>
    </message>
    <message>
        <source>{count} stored files ({size}) are used by no record any more; &apos;sohoa vault check --sweep&apos; removes them.</source>
        <translation>{count} tệp đã lưu ({size}) không còn hồ sơ nào dùng đến; lệnh &apos;sohoa vault check --sweep&apos; sẽ xóa chúng.</translation>
    </message>
    <message>
        <source>Removed {count} stored files no record used ({size}).</source>
        <translation>Đã xóa {count} tệp đã lưu không còn hồ sơ nào dùng ({size}).</translation>
    </message>
    <message>
        <source>New item: {id}</source>
        <translation>Hiện vật mới: {id}</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>đã nhập</translation>
    </message>
    <message>
        <source>already imported</source>
        <translation>đã có từ trước</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>không nhập được</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>đã hủy</translation>
    </message>
    <message>
        <source>{imported} imported ({size}), {duplicates} already there, {failed} failed.</source>
        <translation>Đã nhập {imported} tệp ({size}), {duplicates} tệp đã có từ trước, {failed} tệp không nhập được.</translation>
    </message>
    <message>
        <source>Making thumbnails and previews of {count} photos (Ctrl+C stops; the photos are already stored)…</source>
        <translation>Đang làm ảnh thu nhỏ và ảnh xem trước cho {count} ảnh (Ctrl+C để dừng; ảnh đã được lưu an toàn)…</translation>
    </message>
    <message>
        <source>Stopped: the rest are made when the photos are first viewed.</source>
        <translation>Đã dừng: các ảnh còn lại sẽ được làm khi mở xem lần đầu.</translation>
    </message>
    <message>
        <source>Vault: {path}</source>
        <translation>Kho dữ liệu: {path}</translation>
    </message>
    <message>
        <source>Stored files: {count}; size on disk: {size}.</source>
        <translation>Tệp đã lưu: {count}; dung lượng trên đĩa: {size}.</translation>
    </message>
    <message>
        <source>Everything in it is encrypted; unlock it in the app or with &apos;sohoa vault check&apos;.</source>
        <translation>Mọi thứ trong kho đều được mã hóa; hãy mở khóa trong ứng dụng hoặc bằng lệnh &apos;sohoa vault check&apos;.</translation>
    </message>
    <message>
        <source>ready to send</source>
        <translation>sẵn sàng gửi</translation>
    </message>
    <message>
        <source>uploading (resumes)</source>
        <translation>đang gửi dở (sẽ gửi tiếp)</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>đã giao</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>bị từ chối</translation>
    </message>
    <message>
        <source>Give the one-time code after the address, or the whole enrolment link.</source>
        <translation>Hãy ghi mã dùng một lần sau địa chỉ, hoặc dán cả đường dẫn đăng ký.</translation>
    </message>
    <message>
        <source>Give the command&apos;s keys fingerprint with --keys: it is on the sheet &apos;sohoa-server enrol-code&apos; printed, 8 groups of 4 characters (e.g. --keys &quot;9F3C 1A2B ...&quot;).</source>
        <translation>Hãy ghi dấu vân tay khóa của Bộ Chỉ huy sau --keys: nó có trên tờ giấy do &apos;sohoa-server enrol-code&apos; in ra, 8 nhóm 4 ký tự (ví dụ --keys &quot;9F3C 1A2B ...&quot;).</translation>
    </message>
    <message>
        <source>On the sheet: {expected}</source>
        <translation>Trên tờ giấy: {expected}</translation>
    </message>
    <message>
        <source>The server answered: {answered}</source>
        <translation>Máy chủ trả lời: {answered}</translation>
    </message>
    <message>
        <source>Enrolled with the command at {url}.</source>
        <translation>Đã đăng ký với Bộ Chỉ huy tại {url}.</translation>
    </message>
    <message>
        <source>Its TLS certificate is pinned: no other is accepted.</source>
        <translation>Đã ghi nhớ chứng chỉ TLS của máy chủ: sẽ không chấp nhận chứng chỉ nào khác.</translation>
    </message>
    <message>
        <source>Batch {id}, part {part}: {size}, {visits} visits.</source>
        <translation>Đợt {id}, phần {part}: {size}, {visits} chuyến thăm.</translation>
    </message>
    <message>
        <source>Ready to send: &apos;sohoa sync upload --all&apos;, or write each part to a USB drive with &apos;sohoa sync usb&apos;.</source>
        <translation>Sẵn sàng gửi: &apos;sohoa sync upload --all&apos;, hoặc ghi từng phần ra USB bằng &apos;sohoa sync usb&apos;.</translation>
    </message>
    <message>
        <source>An answer did not come from the command (it is not signed by its key): trying again in {seconds} s (attempt {attempt}). Nothing is lost.</source>
        <translation>Có một câu trả lời không phải của Bộ Chỉ huy (không có chữ ký bằng khóa của Bộ Chỉ huy): thử lại sau {seconds} giây (lần thứ {attempt}). Không mất dữ liệu nào.</translation>
    </message>
    <message>
        <source>The server&apos;s TLS certificate is not the one pinned at enrolment: nothing was sent. Trying again in {seconds} s (attempt {attempt}); if it lasts, tell the command.</source>
        <translation>Chứng chỉ TLS của máy chủ không phải chứng chỉ đã ghi nhớ khi đăng ký: chưa gửi gì cả. Thử lại sau {seconds} giây (lần thứ {attempt}); nếu cứ như vậy, hãy báo cho Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>The command asks to wait ({code}): trying again in {seconds} s (attempt {attempt}). Nothing is lost.</source>
        <translation>Bộ Chỉ huy đề nghị chờ ({code}): thử lại sau {seconds} giây (lần thứ {attempt}). Không mất dữ liệu nào.</translation>
    </message>
    <message>
        <source>No batch is waiting to be uploaded.</source>
        <translation>Không có đợt nào đang chờ gửi lên.</translation>
    </message>
    <message>
        <source>[{part}] {sent} / {total} ({speed}/s, {left} s left)</source>
        <translation>[{part}] {sent} / {total} ({speed}/giây, còn {left} giây)</translation>
    </message>
    <message>
        <source>Written: {path}</source>
        <translation>Đã ghi: {path}</translation>
    </message>
    <message>
        <source>The connection failed; trying again in {seconds} s (attempt {attempt}). Nothing is lost.</source>
        <translation>Mất kết nối; sẽ thử lại sau {seconds} giây (lần {attempt}). Không mất gì.</translation>
    </message>
    <message>
        <source>Batch {id}, part {part}: delivered; the command&apos;s receipt is verified.</source>
        <translation>Đợt {id}, phần {part}: đã giao; đã kiểm chữ ký biên nhận của Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>Batch {id}, part {part}: {problem}</source>
        <translation>Đợt {id}, phần {part}: {problem}</translation>
    </message>
    <message>
        <source>{failed} of {total} parts were not delivered; they stay in the outbox.</source>
        <translation>{failed} trên {total} phần chưa được giao; chúng vẫn nằm trong hộp thư đi.</translation>
    </message>
    <message>
        <source>Not enrolled with the command yet.</source>
        <translation>Chưa đăng ký với Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>Enrolled with {url} since {date}.</source>
        <translation>Đã đăng ký với {url} từ ngày {date}.</translation>
    </message>
    <message>
        <source>No batches yet.</source>
        <translation>Chưa có đợt gửi nào.</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>Đợt</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Phần</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Cỡ</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Đã giao</translation>
    </message>
    <message>
        <source>Written to {path} and read back: it matches.</source>
        <translation>Đã ghi vào {path} và đọc lại: khớp.</translation>
    </message>
    <message>
        <source>At the command: &apos;sohoa-server ingest FILE --receipt RECEIPT&apos;; bring the receipt back and load it with &apos;sohoa sync receipt RECEIPT&apos;.</source>
        <translation>Tại Bộ Chỉ huy: &apos;sohoa-server ingest TỆP --receipt BIÊN_NHẬN&apos;; mang biên nhận về và nạp bằng &apos;sohoa sync receipt BIÊN_NHẬN&apos;.</translation>
    </message>
    <message>
        <source>The file {path} cannot be read.</source>
        <translation>Không đọc được tệp {path}.</translation>
    </message>
    <message>
        <source>Give both --from and --to, or a --period.</source>
        <translation>Hãy cho cả --from và --to, hoặc một --period.</translation>
    </message>
    <message>
        <source>The file {path} cannot be written: check the folder and the free space.</source>
        <translation>Không ghi được tệp {path}: hãy kiểm tra thư mục và dung lượng còn trống.</translation>
    </message>
    <message>
        <source>Report for {period} written to {path}; it counts what was recorded before {cutoff} ({rule}).</source>
        <translation>Đã ghi báo cáo {period} vào {path}; số liệu gồm những gì ghi trước {cutoff} (quy tắc {rule}).</translation>
    </message>
</context>
<context>
    <name>coords</name>
    <message>
        <source>datum not written: WGS 84 assumed</source>
        <translation>không ghi hệ tọa độ: coi là WGS 84</translation>
    </message>
    <message>
        <source>datum not written: VN-2000 assumed for X and Y</source>
        <translation>không ghi hệ tọa độ: coi X, Y là VN-2000</translation>
    </message>
    <message>
        <source>grid zone not written: {zone} assumed (Vietnam, Laos, Cambodia)</source>
        <translation>chưa ghi múi lưới: coi là {zone} (Việt Nam, Lào, Campuchia)</translation>
    </message>
    <message>
        <source>N read as Nam (south)</source>
        <translation>hiểu N là Nam (vĩ độ Nam)</translation>
    </message>
    <message>
        <source>read as longitude first, then latitude</source>
        <translation>đọc là kinh độ trước, vĩ độ sau</translation>
    </message>
    <message>
        <source>X and Y read the other way round (X as the easting)</source>
        <translation>đọc đảo X và Y (X là tọa độ theo hướng đông)</translation>
    </message>
    <message>
        <source>central meridian {meridian} of {province}</source>
        <translation>kinh tuyến trục {meridian} của {province}</translation>
    </message>
    <message>
        <source>zone not written: {zone} assumed</source>
        <translation>không ghi múi chiếu: coi là {zone}</translation>
    </message>
    <message>
        <source>zone size not written: the 6° zone is read too</source>
        <translation>không ghi múi 3° hay 6°: đọc cả theo múi 6°</translation>
    </message>
    <message>
        <source>outside Vietnam, Laos and Cambodia</source>
        <translation>nằm ngoài Việt Nam, Lào và Campuchia</translation>
    </message>
    <message>
        <source>S read as the latitude band S</source>
        <translation>hiểu S là đai vĩ độ S</translation>
    </message>
    <message>
        <source>S read as the southern hemisphere</source>
        <translation>hiểu S là Nam bán cầu</translation>
    </message>
    <message>
        <source>band {band} does not match the northing</source>
        <translation>đai {band} không khớp với tọa độ hướng bắc</translation>
    </message>
    <message>
        <source>±{km} km</source>
        <translation>±{km} km</translation>
    </message>
    <message>
        <source>±{m} m</source>
        <translation>±{m} m</translation>
    </message>
    <message>
        <source>Understood “{text}”: {reading}</source>
        <translation>Hiểu “{text}” là: {reading}</translation>
    </message>
    <message>
        <source>{count} other readings, less plausible:</source>
        <translation>{count} cách đọc khác, ít khả năng hơn:</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something went wrong in the station&apos;s vault.</source>
        <translation>Kho dữ liệu của trạm gặp lỗi.</translation>
    </message>
    <message>
        <source>No vault was found at {path}. Run the setup first.</source>
        <translation>Không tìm thấy kho dữ liệu tại {path}. Hãy cài đặt trạm trước.</translation>
    </message>
    <message>
        <source>A vault already exists at {path}; it was left untouched.</source>
        <translation>Đã có kho dữ liệu tại {path}; kho này được giữ nguyên.</translation>
    </message>
    <message>
        <source>The vault is locked. Sign in again to continue.</source>
        <translation>Kho dữ liệu đang khóa. Hãy đăng nhập lại để làm tiếp.</translation>
    </message>
    <message>
        <source>The user name or passphrase is wrong. Check the keyboard language and Caps Lock.</source>
        <translation>Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra kiểu gõ tiếng Việt và phím Caps Lock.</translation>
    </message>
    <message>
        <source>Too many wrong passphrases. Wait {seconds} seconds before trying again.</source>
        <translation>Nhập sai mật khẩu quá nhiều lần. Hãy chờ {seconds} giây rồi thử lại.</translation>
    </message>
    <message>
        <source>This recovery key does not open this vault.</source>
        <translation>Khóa khôi phục này không mở được kho dữ liệu này.</translation>
    </message>
    <message>
        <source>The recovery key has a typing mistake. Check each group of four characters.</source>
        <translation>Khóa khôi phục bị gõ nhầm. Hãy kiểm tra lại từng nhóm bốn ký tự.</translation>
    </message>
    <message>
        <source>The passphrase is too short: use at least {minimum} characters.</source>
        <translation>Mật khẩu quá ngắn: hãy dùng ít nhất {minimum} ký tự.</translation>
    </message>
    <message>
        <source>You signed in with the recovery key: choose a new passphrase first.</source>
        <translation>Bạn đã đăng nhập bằng khóa khôi phục: hãy đặt mật khẩu mới trước.</translation>
    </message>
    <message>
        <source>Your role ({role}) may not {action}. Ask the station admin.</source>
        <translation>Với vai trò {role}, bạn không được {action}. Hãy hỏi quản trị trạm.</translation>
    </message>
    <message>
        <source>The account could not be changed.</source>
        <translation>Không thay đổi được tài khoản.</translation>
    </message>
    <message>
        <source>The province or commune code {code} is not in the official list.</source>
        <translation>Mã tỉnh hoặc xã {code} không có trong danh mục chính thức.</translation>
    </message>
    <message>
        <source>Part of the vault is damaged: {what}. Run the vault check for details.</source>
        <translation>Một phần kho dữ liệu bị hỏng: {what}. Hãy chạy kiểm tra kho dữ liệu để biết chi tiết.</translation>
    </message>
    <message>
        <source>The stored file {name} is damaged (it fails its authentication check).</source>
        <translation>Tệp đã lưu {name} bị hỏng (không qua được bước kiểm tra xác thực).</translation>
    </message>
    <message>
        <source>The stored file {name} is missing from the vault.</source>
        <translation>Tệp đã lưu {name} không còn trong kho dữ liệu.</translation>
    </message>
    <message>
        <source>The disk is full. Nothing was lost; free some space and try again.</source>
        <translation>Ổ đĩa đã đầy. Chưa mất dữ liệu nào; hãy giải phóng bớt dung lượng rồi thử lại.</translation>
    </message>
    <message>
        <source>The vault is already open in another window of the app. Close that one first.</source>
        <translation>Kho dữ liệu đang mở trong một cửa sổ khác của ứng dụng. Hãy đóng cửa sổ đó trước.</translation>
    </message>
    <message>
        <source>The user name {username} is already taken on this station.</source>
        <translation>Tên đăng nhập {username} đã có người dùng ở trạm này.</translation>
    </message>
    <message>
        <source>The station needs at least one active admin; this change would leave none.</source>
        <translation>Trạm cần ít nhất một quản trị trạm đang hoạt động; thay đổi này sẽ khiến trạm không còn ai.</translation>
    </message>
    <message>
        <source>There is no account named {username} on this station.</source>
        <translation>Trạm này không có tài khoản nào tên {username}.</translation>
    </message>
    <message>
        <source>A user name needs 2 to 40 letters, digits, dots, dashes or underscores.</source>
        <translation>Tên đăng nhập gồm 2 đến 40 chữ cái, chữ số, dấu chấm, gạch ngang hoặc gạch dưới.</translation>
    </message>
    <message>
        <source>Auto-lock must be between 1 and 120 minutes.</source>
        <translation>Thời gian tự động khóa phải từ 1 đến 120 phút.</translation>
    </message>
    <message>
        <source>The retention period must be between 0 and 3650 days, or off.</source>
        <translation>Thời hạn lưu giữ phải từ 0 đến 3650 ngày, hoặc tắt.</translation>
    </message>
    <message>
        <source>Sent to the command and removed from this laptop after the station&apos;s retention period; the record and its fingerprint are kept.</source>
        <translation>Đã gửi Bộ Chỉ huy và đã xóa khỏi máy này sau thời hạn lưu giữ của trạm; hồ sơ và dấu vân tay của tệp vẫn được giữ lại.</translation>
    </message>
    <message>
        <source>The visit could not be changed.</source>
        <translation>Không thay đổi được chuyến thăm.</translation>
    </message>
    <message>
        <source>This visit no longer exists on this station.</source>
        <translation>Chuyến thăm này không còn trên trạm.</translation>
    </message>
    <message>
        <source>This testimony is no longer in the vault.</source>
        <translation>Lời kể này không còn trong kho.</translation>
    </message>
    <message>
        <source>This file is not a recording the app can read ({name}).</source>
        <translation>Tệp này không phải bản ghi âm mà ứng dụng đọc được ({name}).</translation>
    </message>
    <message>
        <source>The recording {name} holds no sound (0 seconds); it was not imported. Check that it is the right file.</source>
        <translation>Bản ghi âm {name} không có âm thanh nào (0 giây) nên không được nhập. Hãy kiểm tra xem có đúng tệp không.</translation>
    </message>
    <message>
        <source>The recording could not continue. What was recorded until now is kept.</source>
        <translation>Không thể ghi tiếp. Phần đã ghi đến giờ được giữ nguyên.</translation>
    </message>
    <message>
        <source>No microphone was found. Plug one in and choose it in the list.</source>
        <translation>Không tìm thấy micro. Hãy cắm micro rồi chọn trong danh sách.</translation>
    </message>
    <message>
        <source>The microphone could not be opened ({reason}). Choose another one and try again.</source>
        <translation>Không mở được micro ({reason}). Hãy chọn micro khác rồi thử lại.</translation>
    </message>
    <message>
        <source>This visit was already submitted ({status}); it can only be changed once it is returned to you.</source>
        <translation>Chuyến thăm này {status}; chỉ sửa được khi được trả lại cho bạn.</translation>
    </message>
    <message>
        <source>Write the date as a year (1968), a month and year (03/1968) or a full date.</source>
        <translation>Hãy ghi ngày dưới dạng năm (1968), tháng và năm (03/1968) hoặc ngày đầy đủ.</translation>
    </message>
    <message>
        <source>The GPS position is outside the valid range (latitude ±90, longitude ±180).</source>
        <translation>Tọa độ GPS nằm ngoài phạm vi hợp lệ (vĩ độ ±90, kinh độ ±180).</translation>
    </message>
    <message>
        <source>The year of birth {year} is not plausible.</source>
        <translation>Năm sinh {year} không hợp lý.</translation>
    </message>
    <message>
        <source>Only an empty visit can be deleted; this one already holds records.</source>
        <translation>Chỉ xóa được chuyến thăm còn trống; chuyến thăm này đã có dữ liệu.</translation>
    </message>
    <message>
        <source>The martyr&apos;s full name is needed (write what the family knows).</source>
        <translation>Cần có họ tên liệt sĩ (hãy ghi những gì gia đình biết).</translation>
    </message>
    <message>
        <source>The person&apos;s name is needed.</source>
        <translation>Cần có tên của người này.</translation>
    </message>
    <message>
        <source>Remove the item&apos;s pages first.</source>
        <translation>Hãy xóa các trang của hiện vật trước.</translation>
    </message>
    <message>
        <source>The new order must list every page of the item once.</source>
        <translation>Thứ tự mới phải có mỗi trang của hiện vật đúng một lần.</translation>
    </message>
    <message>
        <source>A page must point at a file stored in the vault.</source>
        <translation>Mỗi trang phải gắn với một tệp đã lưu trong kho.</translation>
    </message>
    <message>
        <source>The cover must be one of the item&apos;s own pages.</source>
        <translation>Ảnh bìa phải là một trang của chính hiện vật này.</translation>
    </message>
    <message>
        <source>The file {name} could not be imported.</source>
        <translation>Không nhập được tệp {name}.</translation>
    </message>
    <message>
        <source>The file {name} is empty (0 bytes): there is nothing to import.</source>
        <translation>Tệp {name} trống (0 byte): không có gì để nhập.</translation>
    </message>
    <message>
        <source>The file {name} is not a photo or video this app can read.</source>
        <translation>Tệp {name} không phải là ảnh hay video mà ứng dụng đọc được.</translation>
    </message>
    <message>
        <source>The photo {name} is damaged or incomplete. Copy it again from the camera or phone and import the copy.</source>
        <translation>Ảnh {name} bị hỏng hoặc chưa chép xong. Hãy chép lại từ máy ảnh hoặc điện thoại rồi nhập bản mới.</translation>
    </message>
    <message>
        <source>The file {name} claims to be {width}×{height} pixels, far larger than any camera photo; it was skipped to keep the laptop responsive.</source>
        <translation>Tệp {name} ghi kích thước {width}×{height} điểm ảnh, lớn hơn nhiều so với bất kỳ ảnh chụp nào; tệp đã được bỏ qua để máy không bị treo.</translation>
    </message>
    <message>
        <source>The video {name} is damaged or incomplete. Copy it again from the camera or phone and import the copy.</source>
        <translation>Video {name} bị hỏng hoặc chưa chép xong. Hãy chép lại từ máy quay hoặc điện thoại rồi nhập bản mới.</translation>
    </message>
    <message>
        <source>The file {name} could not be read. Check that it is a file and you may open it.</source>
        <translation>Không đọc được tệp {name}. Hãy kiểm tra đó có đúng là một tệp và bạn có quyền mở nó.</translation>
    </message>
    <message>
        <source>The file {name} disappeared before it was imported. Was the card or phone unplugged? Plug it in again and repeat the import.</source>
        <translation>Tệp {name} đã biến mất trước khi kịp nhập. Thẻ nhớ hay điện thoại có bị rút ra không? Hãy cắm lại và nhập lại.</translation>
    </message>
    <message>
        <source>The camera details (EXIF) in {name} are damaged; the photo was imported without them.</source>
        <translation>Thông tin máy ảnh (EXIF) trong {name} bị hỏng; ảnh vẫn được nhập nhưng không có thông tin đó.</translation>
    </message>
    <message>
        <source>There is no picture to show for this page.</source>
        <translation>Trang này không có hình để hiển thị.</translation>
    </message>
    <message>
        <source>The consent could not be recorded.</source>
        <translation>Không ghi được phiếu đồng ý.</translation>
    </message>
    <message>
        <source>Keeping the material and using it to search for martyrs is the one required part of the consent; without it, nothing can be kept.</source>
        <translation>Lưu giữ tư liệu và dùng để tìm kiếm liệt sĩ là phần bắt buộc của phiếu đồng ý; thiếu phần này thì không được giữ lại gì.</translation>
    </message>
    <message>
        <source>The consent needs the family&apos;s signature drawn on screen, or a recorded verbal consent.</source>
        <translation>Phiếu đồng ý cần chữ ký của gia đình trên màn hình, hoặc lời đồng ý đã được ghi âm.</translation>
    </message>
    <message>
        <source>Write the name of the family member who gives the consent.</source>
        <translation>Hãy ghi tên người trong gia đình đứng ra đồng ý.</translation>
    </message>
    <message>
        <source>The embargo date must be a real date in the future, or left empty.</source>
        <translation>Ngày hết hạn chưa công bố phải là một ngày có thật trong tương lai, hoặc để trống.</translation>
    </message>
    <message>
        <source>This consent record does not exist on this station.</source>
        <translation>Phiếu đồng ý này không có trên trạm.</translation>
    </message>
    <message>
        <source>The visit has no photos, videos or recordings yet: there is nothing to consent to.</source>
        <translation>Chuyến thăm chưa có ảnh, video hay bản ghi âm nào: chưa có gì để đồng ý.</translation>
    </message>
    <message>
        <source>The family withdrew everything this visit holds. A new signature does not take it back in; only new photos or recordings can be consented to.</source>
        <translation>Gia đình đã rút lại toàn bộ tư liệu của chuyến thăm này. Ký phiếu mới không đưa chúng trở lại; chỉ ảnh hoặc bản ghi âm mới mới có thể được đồng ý.</translation>
    </message>
    <message>
        <source>The review step could not be done.</source>
        <translation>Không thực hiện được bước duyệt.</translation>
    </message>
    <message>
        <source>{count} photos, videos or recordings are not covered by the family&apos;s consent. Take the consent (or an amendment) before submitting.</source>
        <translation>Có {count} ảnh, video hoặc bản ghi âm chưa nằm trong phiếu đồng ý của gia đình. Hãy lấy phiếu đồng ý (hoặc phiếu bổ sung) trước khi gửi duyệt.</translation>
    </message>
    <message>
        <source>A consent record of this visit fails its signature check; it cannot be approved.</source>
        <translation>Một phiếu đồng ý của chuyến thăm này không qua được kiểm tra chữ ký số; không thể duyệt.</translation>
    </message>
    <message>
        <source>This visit is {status}; that step is not possible now.</source>
        <translation>Chuyến thăm này {status}; bước này không làm được lúc này.</translation>
    </message>
    <message>
        <source>Say what needs fixing when you return a visit.</source>
        <translation>Khi trả lại chuyến thăm, hãy ghi rõ cần sửa gì.</translation>
    </message>
    <message>
        <source>This station is not enrolled with the command yet. The station admin enrols it with the command&apos;s address and a one-time code.</source>
        <translation>Trạm này chưa đăng ký với Bộ Chỉ huy. Quản trị trạm đăng ký bằng địa chỉ của Bộ Chỉ huy và một mã dùng một lần.</translation>
    </message>
    <message>
        <source>There is no such batch in this station&apos;s outbox.</source>
        <translation>Không có đợt gửi này trong hộp thư đi của trạm.</translation>
    </message>
    <message>
        <source>Nothing is waiting to be sent: no approved visit has material that is not in a batch yet, and no withdrawal notice is waiting.</source>
        <translation>Không có gì chờ gửi: không chuyến thăm đã duyệt nào còn tư liệu chưa đóng gói, và không có thông báo rút lại sự đồng ý nào đang chờ.</translation>
    </message>
    <message>
        <source>Building the batch was cancelled; nothing was kept.</source>
        <translation>Đã hủy việc đóng gói; không giữ lại gì.</translation>
    </message>
    <message>
        <source>Sending to the command did not work.</source>
        <translation>Không gửi được về Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>The address {url} is not a web address; it starts with http:// or https://.</source>
        <translation>Địa chỉ {url} không phải địa chỉ web; địa chỉ phải bắt đầu bằng http:// hoặc https://.</translation>
    </message>
    <message>
        <source>The command server at {url} cannot be reached. Check the network and the address, then try again; nothing was lost.</source>
        <translation>Không kết nối được với máy chủ của Bộ Chỉ huy tại {url}. Hãy kiểm tra mạng và địa chỉ rồi thử lại; không mất gì.</translation>
    </message>
    <message>
        <source>The address {url} did not answer like the command&apos;s server. Check the address.</source>
        <translation>Địa chỉ {url} không trả lời như máy chủ của Bộ Chỉ huy. Hãy kiểm tra lại địa chỉ.</translation>
    </message>
    <message>
        <source>The address {url} starts with http://, which anyone on the network can read and change. Use the https:// address the command gave you.</source>
        <translation>Địa chỉ {url} bắt đầu bằng http://, ai trên mạng cũng có thể đọc và sửa được. Hãy dùng địa chỉ https:// mà Bộ Chỉ huy đã đưa cho bạn.</translation>
    </message>
    <message>
        <source>The server at {url} shows another security certificate than the command&apos;s. It may not be the command&apos;s server: nothing was sent. Check the network and ask the command.</source>
        <translation>Máy chủ tại {url} đưa ra chứng chỉ bảo mật khác với chứng chỉ của Bộ Chỉ huy. Có thể đó không phải máy chủ của Bộ Chỉ huy: chưa gửi gì cả. Hãy kiểm tra mạng và hỏi Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>Too many failed enrolment attempts from this network. Wait {minutes} minutes, check the code, and try again.</source>
        <translation>Có quá nhiều lần đăng ký không thành công từ mạng này. Hãy chờ {minutes} phút, kiểm tra lại mã rồi thử lại.</translation>
    </message>
    <message>
        <source>The command refused the enrolment ({code}). Ask the command for help; nothing was saved.</source>
        <translation>Bộ Chỉ huy từ chối đăng ký ({code}). Hãy nhờ Bộ Chỉ huy giúp; chưa có gì được lưu.</translation>
    </message>
    <message>
        <source>The command does not know this enrolment code. Check it, or ask the command for a new one.</source>
        <translation>Bộ Chỉ huy không nhận ra mã đăng ký này. Hãy kiểm tra lại mã, hoặc xin Bộ Chỉ huy mã mới.</translation>
    </message>
    <message>
        <source>This enrolment code was already used. Ask the command for a new one.</source>
        <translation>Mã đăng ký này đã được dùng rồi. Hãy xin Bộ Chỉ huy mã mới.</translation>
    </message>
    <message>
        <source>This enrolment code has expired. Ask the command for a new one.</source>
        <translation>Mã đăng ký này đã hết hạn. Hãy xin Bộ Chỉ huy mã mới.</translation>
    </message>
    <message>
        <source>The command already has this station enrolled. Ask the command to check its list of stations.</source>
        <translation>Bộ Chỉ huy đã có trạm này trong danh sách. Hãy nhờ Bộ Chỉ huy kiểm tra danh sách trạm.</translation>
    </message>
    <message>
        <source>The file of this batch is missing from the station&apos;s outbox, so it was set aside. Build a new batch: what it carried goes into the new one.</source>
        <translation>Tệp của đợt gửi này không còn trong hộp thư đi của trạm nên đã được để riêng ra. Hãy đóng gói đợt mới: nội dung của nó sẽ vào đợt mới.</translation>
    </message>
    <message>
        <source>This batch was already delivered to the command.</source>
        <translation>Đợt gửi này đã được giao cho Bộ Chỉ huy rồi.</translation>
    </message>
    <message>
        <source>The command rejected this batch ({reason}). It stays on the station; build a new batch and tell the command.</source>
        <translation>Bộ Chỉ huy từ chối đợt gửi này ({reason}). Dữ liệu vẫn ở trên trạm; hãy đóng gói đợt mới và báo cho Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>The command server refused the upload ({detail}). The batch stays in the outbox; try again later or use a USB drive.</source>
        <translation>Máy chủ của Bộ Chỉ huy từ chối việc gửi ({detail}). Đợt gửi vẫn nằm trong hộp thư đi; hãy thử lại sau hoặc dùng USB.</translation>
    </message>
    <message>
        <source>The command has disabled this station, so it takes nothing from it. The batch stays in the outbox; ask the command.</source>
        <translation>Bộ Chỉ huy đã vô hiệu hóa trạm này nên không nhận gì từ trạm. Đợt gửi vẫn nằm trong hộp thư đi; hãy hỏi Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>The command does not know this station (any more). The batch stays in the outbox; ask the station admin to enrol the station again.</source>
        <translation>Bộ Chỉ huy không (còn) biết trạm này. Đợt gửi vẫn nằm trong hộp thư đi; hãy nhờ quản trị trạm đăng ký lại trạm.</translation>
    </message>
    <message>
        <source>The command refused the upload because this laptop&apos;s clock is wrong. Set the date and time, then try again; nothing was lost.</source>
        <translation>Bộ Chỉ huy từ chối việc gửi vì đồng hồ của máy tính này bị sai. Hãy chỉnh lại ngày giờ rồi thử lại; không mất dữ liệu nào.</translation>
    </message>
    <message>
        <source>The upload was stopped. What was sent is kept; it continues from there next time.</source>
        <translation>Đã dừng gửi. Phần đã gửi được giữ lại; lần sau sẽ gửi tiếp từ đó.</translation>
    </message>
    <message>
        <source>This receipt is not signed by the command this station is enrolled with; nothing was marked delivered.</source>
        <translation>Biên nhận này không có chữ ký của Bộ Chỉ huy mà trạm đã đăng ký; chưa có gì được đánh dấu đã giao.</translation>
    </message>
    <message>
        <source>This receipt does not match a batch in this station&apos;s outbox; nothing was marked delivered.</source>
        <translation>Biên nhận này không khớp với đợt gửi nào trong hộp thư đi của trạm; chưa có gì được đánh dấu đã giao.</translation>
    </message>
    <message>
        <source>The drive or folder {destination} cannot be written to. Plug the drive in, or choose another folder, and try again; the batch stays in the outbox.</source>
        <translation>Không ghi được vào ổ hoặc thư mục {destination}. Hãy cắm USB vào, hoặc chọn thư mục khác, rồi thử lại; đợt gửi vẫn nằm trong hộp thư đi, không mất gì.</translation>
    </message>
    <message>
        <source>The drive {destination} has no room for this batch ({size} needed). Free some space or use another drive; the batch stays in the outbox.</source>
        <translation>Ổ {destination} đã đầy, không đủ chỗ cho đợt gửi này (cần {size}). Hãy xóa bớt hoặc dùng USB khác; đợt gửi vẫn nằm trong hộp thư đi, không mất gì.</translation>
    </message>
    <message>
        <source>Writing to {destination} failed; was the drive pulled out? The batch stays in the outbox; plug the drive in and try again.</source>
        <translation>Ghi vào {destination} không thành công; có phải USB đã bị rút ra? Đợt gửi vẫn nằm trong hộp thư đi, không mất gì; hãy cắm USB vào và thử lại.</translation>
    </message>
    <message>
        <source>The copy on {destination} does not read back the same as the batch; the drive may be failing. Try another drive; the batch stays in the outbox.</source>
        <translation>Bản chép trên {destination} đọc lại không giống đợt gửi; USB có thể bị hỏng. Hãy dùng USB khác; đợt gửi vẫn nằm trong hộp thư đi.</translation>
    </message>
    <message>
        <source>The drive {destination} cannot hold a file this large ({size}): FAT32 drives take at most 4 GB a file. Use an exFAT or NTFS drive, or build again with a smaller size cap; the batch stays in the outbox.</source>
        <translation>Ổ {destination} không chứa được tệp lớn như vậy ({size}): ổ định dạng FAT32 chỉ nhận tệp tối đa 4 GB. Hãy dùng ổ exFAT hoặc NTFS, hoặc đóng gói lại với giới hạn cỡ nhỏ hơn; đợt gửi vẫn nằm trong hộp thư đi.</translation>
    </message>
    <message>
        <source>The report period {text} is not understood: write 2026-11, 2026-W48, 2026-Q4, 2026-H2, 2026 or campaign, or give a start and an end date.</source>
        <translation>Không hiểu kỳ báo cáo {text}: hãy viết 2026-11, 2026-W48, 2026-Q4, 2026-H2, 2026 hoặc campaign, hoặc cho ngày bắt đầu và ngày kết thúc.</translation>
    </message>
    <message>
        <source>The cut-off {text} is not understood: write a date (2026-11-24) or a date and time.</source>
        <translation>Không hiểu thời điểm chốt số liệu {text}: hãy viết một ngày (2026-11-24) hoặc ngày và giờ.</translation>
    </message>
    <message>
        <source>The practice station could not be prepared.</source>
        <translation>Không chuẩn bị được trạm luyện tập.</translation>
    </message>
    <message>
        <source>This is the practice station: nothing in it can be enrolled, sent or exported. Sign in to the real station to do that.</source>
        <translation>Đây là trạm luyện tập: không thể đăng ký, gửi hay xuất bất cứ thứ gì từ đây. Hãy đăng nhập vào trạm thật để làm việc đó.</translation>
    </message>
    <message>
        <source>The folder {path} holds a vault that is not a practice vault; it was left untouched.</source>
        <translation>Thư mục {path} chứa một kho dữ liệu không phải kho luyện tập; kho đó được giữ nguyên.</translation>
    </message>
    <message>
        <source>This is not an enrolment link from the command. Type the server&apos;s address and the code instead, as the command wrote them.</source>
        <translation>Đây không phải đường dẫn đăng ký của Bộ Chỉ huy. Hãy gõ địa chỉ máy chủ và mã đúng như Bộ Chỉ huy đã ghi.</translation>
    </message>
    <message>
        <source>The server answered with other keys than the fingerprint from the command: it may not be the command&apos;s server. The code was not sent and nothing was saved; check the fingerprint and the network, and ask the command.</source>
        <translation>Máy chủ trả lời bằng khóa khác với dấu vân tay Bộ Chỉ huy đưa: có thể đó không phải máy chủ của Bộ Chỉ huy. Mã chưa được gửi đi và chưa có gì được lưu; hãy kiểm tra dấu vân tay và mạng, rồi hỏi Bộ Chỉ huy.</translation>
    </message>
    <message>
        <source>The fingerprint of the command&apos;s keys is 32 letters and digits (8 groups of 4), as on the sheet the command printed with the code. Check it and type it again.</source>
        <translation>Dấu vân tay khóa của Bộ Chỉ huy gồm 32 chữ và số (8 nhóm 4 ký tự), như trên tờ giấy Bộ Chỉ huy in kèm mã. Hãy kiểm tra rồi gõ lại.</translation>
    </message>
    <message>
        <source>The command&apos;s encryption key kept at enrolment is not valid. Ask the station admin to enrol the station again.</source>
        <translation>Khóa mã hóa của Bộ Chỉ huy lưu khi đăng ký không hợp lệ. Hãy nhờ quản trị trạm đăng ký lại trạm.</translation>
    </message>
    <message>
        <source>Sending to the command did not work. Nothing was lost; try again, and tell the station admin if it happens again.</source>
        <translation>Không gửi được về Bộ Chỉ huy. Không mất gì; hãy thử lại, và báo quản trị trạm nếu lỗi còn lặp lại.</translation>
    </message>
    <message>
        <source>Something unexpected went wrong. Nothing was deleted; try again, and tell the station admin if it happens again.</source>
        <translation>Đã xảy ra lỗi ngoài dự kiến. Không có gì bị xóa; hãy thử lại, và báo quản trị trạm nếu lỗi lặp lại.</translation>
    </message>
    <message>
        <source>Write a number here, for example 1950 or 21.0285.</source>
        <translation>Hãy ghi một con số ở đây, ví dụ 1950 hoặc 21.0285.</translation>
    </message>
</context>
<context>
    <name>roles</name>
    <message>
        <source>Station admin</source>
        <translation>Quản trị trạm</translation>
    </message>
    <message>
        <source>Volunteer</source>
        <translation>Tình nguyện viên</translation>
    </message>
    <message>
        <source>Coordinator</source>
        <translation>Điều phối viên</translation>
    </message>
    <message>
        <source>Sync operator</source>
        <translation>Cán bộ đồng bộ</translation>
    </message>
</context>
<context>
    <name>visit status</name>
    <message>
        <source>a draft</source>
        <translation>là bản nháp</translation>
    </message>
    <message>
        <source>submitted for review</source>
        <translation>đã được gửi duyệt</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>đã được duyệt</translation>
    </message>
    <message>
        <source>returned for changes</source>
        <translation>đã bị trả lại để sửa</translation>
    </message>
</context>
</TS>

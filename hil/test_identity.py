"""The board runs exactly the firmware and the model under test (HELLO handshake)."""


def test_board_reports_model_and_firmware_under_test(ferhil_session, record_property):
    run = ferhil_session
    hello = run.device.hello
    model_hash = str(hello.model_hash)
    firmware_hash = str(hello.firmware_hash)
    record_property("model_hash", model_hash)
    record_property("firmware_hash", firmware_hash)
    record_property("board", run.device.board.facts.name)
    record_property("flashed", run.device.flashed)
    assert model_hash == run.model.hash(), "the board runs another model"
    # The name and version are compiled in too (the hash covers only what computes outputs).
    assert hello.model_name == run.model.name, "the board runs another model"
    assert hello.model_version == run.model.version, "another model version"
    if run.artifact is not None:
        assert firmware_hash == run.artifact.firmware_hash, "the board runs other firmware"


def test_board_speaks_the_protocol_version(ferhil_session, record_property):
    from firmware.host.protocol import PROTOCOL_VERSION

    version = ferhil_session.device.hello.protocol_version
    record_property("protocol_version", version)
    assert version == PROTOCOL_VERSION
